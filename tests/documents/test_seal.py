"""Sealed letters and minutes: a PAdES signature made with the configured
certificate, verified with pyHanko's validation API; a document without a
certificate says that it is unsealed; a configured certificate that cannot be
used stops the start-up (tumorboard/documents/seal.py)."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from tests.conftest import BASE_CONFIG
from tests.documents.test_documents import pdf_text
from tests.recommendations import factories as rf
from tumorboard import create_app
from tumorboard.audit.models import AuditEntry
from tumorboard.documents.seal import EXTENSION_KEY, UNSEALED_NOTE, load_seal
from tumorboard.extensions import db

HOLDER = "Synthetic Bone Tumour Board Seal"


def make_certificate(
    *, days: int = 30, starts: int = -1, key=None, name: str = HOLDER
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A throwaway self-signed seal certificate and its key."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + timedelta(days=starts))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            True,
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


def write_pkcs12(path, key, cert, password: bytes = b"seal-password") -> str:
    """``key`` and ``cert`` in a password-protected PKCS#12 file at ``path``."""
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"seal", key, cert, None, serialization.BestAvailableEncryption(password)
        )
    )
    return str(path)


def write_pem(tmp_path, key, cert, password: bytes | None = None) -> dict:
    """``key`` and ``cert`` as PEM files; the settings that name them."""
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    key_path, cert_path = tmp_path / "seal-key.pem", tmp_path / "seal-cert.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return {
        "SEAL_KEY_PATH": str(key_path),
        "SEAL_CERT_PATH": str(cert_path),
        "SEAL_KEY_PASSWORD": password.decode() if password else None,
    }


def validation_context(cert: x509.Certificate) -> ValidationContext:
    """Trust the throwaway certificate, as a reader trusts the hospital's."""
    root = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    return ValidationContext(trust_roots=[root])


def verify(pdf: bytes, cert: x509.Certificate):
    """The status of the PDF's one signature."""
    (signature,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    return validate_pdf_signature(signature, validation_context(cert))


def flip_signed_byte(pdf: bytes) -> bytes:
    """``pdf`` with one byte changed inside the signed range: a byte of the
    first page stream's compressed content, so the file still parses."""
    (signature,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    byte_range = signature.sig_object["/ByteRange"]
    start, length = byte_range[0], byte_range[1]
    at = pdf.index(b"stream", start) + 20
    assert start <= at < start + length
    changed = bytearray(pdf)
    changed[at] ^= 0x01
    return bytes(changed)


def _documents(client, login_as):
    """The letter and the minutes of a signed recommendation, downloaded."""
    setup = rf.discussed_item()
    rec = rf.signed_recommendation(setup, free_text="Limb salvage after MAP.")
    db.session.commit()
    login_as("coordinator")
    out = {}
    for kind, url in (
        ("letter", f"/documents/recommendations/{rec.id}/letter.pdf"),
        ("minutes", f"/documents/meetings/{setup.meeting.id}/minutes.pdf"),
    ):
        response = client.get(url)
        assert response.status_code == 200, response.text
        out[kind] = response.data
    return out


class TestSealed:
    """Documents downloaded while a seal certificate is configured."""

    @pytest.fixture
    def certificate(self):
        return make_certificate()

    @pytest.fixture
    def app_config(self, tmp_path, certificate):
        key, cert = certificate
        return {
            "SEAL_PKCS12_PATH": write_pkcs12(tmp_path / "seal.p12", key, cert),
            "SEAL_PKCS12_PASSWORD": "seal-password",
            "SEAL_LOCATION": "Synthetic University Hospital",
        }

    def test_letter_and_minutes_are_signed_intact_and_whole(
        self, client, login_as, certificate
    ):
        _, cert = certificate
        for kind, pdf in _documents(client, login_as).items():
            status = verify(pdf, cert)
            assert status.intact, kind
            assert status.valid, kind
            assert status.trusted, kind
            assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE, kind
            assert status.bottom_line, kind
            assert status.signing_cert.subject.native["common_name"] == HOLDER
            text = pdf_text(pdf)
            assert f"Digitally sealed by {HOLDER}" in text, kind
            assert UNSEALED_NOTE not in text, kind

    def test_changing_one_signed_byte_breaks_the_seal(
        self, client, login_as, certificate
    ):
        _, cert = certificate
        for kind, pdf in _documents(client, login_as).items():
            status = verify(flip_signed_byte(pdf), cert)
            assert not status.intact, kind
            assert not status.bottom_line, kind

    def test_a_certificate_that_expired_since_the_start_up_refuses_documents(
        self, app, client, login_as
    ):
        seal = app.extensions[EXTENSION_KEY]
        app.extensions[EXTENSION_KEY] = dataclasses.replace(
            seal, not_after=datetime.now(UTC) - timedelta(minutes=1)
        )
        setup = rf.discussed_item()
        rec = rf.signed_recommendation(setup)
        db.session.commit()
        login_as("coordinator")
        response = client.get(
            f"/documents/recommendations/{rec.id}/letter.pdf", follow_redirects=True
        )
        assert response.mimetype == "text/html"
        assert "The certificate that seals this document expired on" in response.text
        assert not db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "document.download")
        ).all()

    def test_a_reader_that_does_not_trust_the_certificate_says_so(
        self, client, login_as
    ):
        _, stranger = make_certificate(name="Someone Else")
        pdf = _documents(client, login_as)["letter"]
        status = verify(pdf, stranger)
        assert status.intact and not status.trusted and not status.bottom_line


def test_without_a_certificate_the_documents_say_they_are_unsealed(client, login_as):
    for kind, pdf in _documents(client, login_as).items():
        assert UNSEALED_NOTE in pdf_text(pdf), kind
        assert PdfFileReader(io.BytesIO(pdf)).embedded_signatures == [], kind


def test_a_pem_key_and_certificate_seal_too(tmp_path):
    key, cert = make_certificate()
    seal = load_seal(write_pem(tmp_path, key, cert, password=b"pem-password"))
    assert seal is not None and seal.holder == HOLDER


def test_no_settings_no_seal():
    assert load_seal({}) is None


def _bad_configurations(tmp_path) -> dict[str, tuple[dict, str]]:
    key, cert = make_certificate()
    p12 = write_pkcs12(tmp_path / "seal.p12", key, cert)
    pem = write_pem(tmp_path, key, cert, password=b"pem-password")
    _, other = make_certificate(key=ec.generate_private_key(ec.SECP256R1()))
    other_path = tmp_path / "other.pem"
    other_path.write_bytes(other.public_bytes(serialization.Encoding.PEM))
    _, expired = make_certificate(key=key, starts=-30, days=-1)
    expired_path = tmp_path / "expired.p12"
    write_pkcs12(expired_path, key, expired)
    garbage = tmp_path / "garbage.p12"
    garbage.write_bytes(b"not a certificate")
    return {
        "missing file": (
            {"SEAL_PKCS12_PATH": str(tmp_path / "nowhere.p12")},
            "SEAL_PKCS12_PATH=",
        ),
        "wrong password": (
            {"SEAL_PKCS12_PATH": p12, "SEAL_PKCS12_PASSWORD": "wrong"},
            "wrong SEAL_PKCS12_PASSWORD",
        ),
        "no password": ({"SEAL_PKCS12_PATH": p12}, "wrong SEAL_PKCS12_PASSWORD"),
        "not PKCS#12": (
            {"SEAL_PKCS12_PATH": str(garbage), "SEAL_PKCS12_PASSWORD": "x"},
            "not a PKCS#12 file",
        ),
        "both kinds": ({**pem, "SEAL_PKCS12_PATH": p12}, "not both"),
        "key without certificate": (
            {"SEAL_KEY_PATH": pem["SEAL_KEY_PATH"]},
            "SEAL_CERT_PATH is missing",
        ),
        "encrypted key, no password": (
            {**pem, "SEAL_KEY_PASSWORD": None},
            "set SEAL_KEY_PASSWORD",
        ),
        "wrong key password": (
            {**pem, "SEAL_KEY_PASSWORD": "wrong"},
            "wrong SEAL_KEY_PASSWORD",
        ),
        "key of another certificate": (
            {**pem, "SEAL_CERT_PATH": str(other_path)},
            "does not belong to the seal certificate",
        ),
        "expired": (
            {
                "SEAL_PKCS12_PATH": str(expired_path),
                "SEAL_PKCS12_PASSWORD": "seal-password",
            },
            "expired on",
        ),
    }


def test_a_configured_certificate_that_cannot_be_used_stops_the_start_up(tmp_path):
    """Never an unsealed document while sealing was asked for: the
    application refuses to start and names the setting to fix."""
    for name, (config, message) in _bad_configurations(tmp_path).items():
        with pytest.raises(RuntimeError) as raised:
            create_app(
                {**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://", **config}
            )
        assert str(raised.value).startswith("Sealed documents: "), name
        assert message in str(raised.value), (name, str(raised.value))
