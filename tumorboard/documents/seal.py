"""Digital seals (PAdES signatures) on the documents that leave the hospital.

When a signing certificate is configured, the outcome letter and the minutes
are signed with pyHanko after WeasyPrint has rendered them, so that a PDF
reader shows them as signed and unmodified. The certificate is loaded once, at
start-up: a configured certificate that cannot be read (missing file, wrong
password, key that does not match, expired) stops the application from
starting with a message naming the setting, so that a document is never
handed out unsealed while sealing was asked for. Without a certificate the
documents say, visibly, that they are not sealed.

Settings (``TUMORBOARD_`` in the environment):

- ``SEAL_PKCS12_PATH`` and ``SEAL_PKCS12_PASSWORD``: a PKCS#12 file (.p12,
  .pfx) with the key and the certificate (and, optionally, its chain);
- or ``SEAL_KEY_PATH``, ``SEAL_CERT_PATH`` (PEM or DER) and, when the key is
  encrypted, ``SEAL_KEY_PASSWORD``;
- ``SEAL_CHAIN_PATH``: intermediate certificates embedded with the seal
  (optional, PEM or DER, several in one file);
- ``SEAL_LOCATION``: the place named in the signature (optional).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from flask import Flask, current_app
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from tumorboard.errors import InvalidInput

log = logging.getLogger(__name__)

EXTENSION_KEY = "tumorboard.seal"
UNSEALED_NOTE = "Not digitally sealed: no signing certificate is configured."
#: The name of the signature field in every sealed document.
FIELD_NAME = "TumourBoardSeal"


class SealConfigurationError(RuntimeError):
    """The configured signing certificate cannot be used."""


@dataclass(frozen=True)
class Seal:
    """A loaded signing certificate and its key, ready to sign documents."""

    signer: signers.SimpleSigner
    #: The certificate holder, as shown on the documents.
    holder: str
    not_after: datetime
    location: str | None = None

    @property
    def note(self) -> str:
        """The line a sealed document shows about its seal."""
        return (
            f"Digitally sealed by {self.holder}: a PDF reader shows whether "
            "this document was changed after it was issued."
        )


def _read(setting: str, path: str) -> bytes:
    """The bytes of the file a setting names, or a start-up error naming both."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise SealConfigurationError(
            f"{setting}={path!r} cannot be read ({exc.strerror or exc}); "
            "fix the path or remove the seal settings."
        ) from exc


def _password(value) -> bytes | None:
    """A password setting as bytes; the environment may have parsed a
    numeric password as a number."""
    if value is None or value == "":
        return None
    return value if isinstance(value, bytes) else str(value).encode()


def _load_certs(setting: str, data: bytes) -> list[x509.Certificate]:
    """Certificates from PEM (one or several) or DER bytes."""
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise SealConfigurationError(
            f"{setting} does not hold a certificate in PEM or DER form."
        ) from exc


def _load_key(setting: str, data: bytes, password: bytes | None):
    """A private key from PEM or DER bytes."""
    load = (
        serialization.load_pem_private_key
        if b"-----BEGIN" in data
        else serialization.load_der_private_key
    )
    try:
        return load(data, password=password)
    except TypeError as exc:
        raise SealConfigurationError(
            f"The key in {setting} is encrypted: set SEAL_KEY_PASSWORD."
            if password is None
            else f"The key in {setting} is not encrypted: remove SEAL_KEY_PASSWORD."
        ) from exc
    except ValueError as exc:
        raise SealConfigurationError(
            f"The key in {setting} cannot be read: wrong SEAL_KEY_PASSWORD, or "
            "not a private key in PEM or DER form."
        ) from exc


def _load_material(config) -> tuple[object, x509.Certificate, list] | None:
    """The key, certificate and extra certificates the settings name, or
    None when sealing is not configured."""
    p12_path = config.get("SEAL_PKCS12_PATH")
    key_path, cert_path = config.get("SEAL_KEY_PATH"), config.get("SEAL_CERT_PATH")
    if p12_path and (key_path or cert_path):
        raise SealConfigurationError(
            "Set either SEAL_PKCS12_PATH or SEAL_KEY_PATH with SEAL_CERT_PATH, "
            "not both."
        )
    if p12_path:
        data = _read("SEAL_PKCS12_PATH", p12_path)
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(
                data, _password(config.get("SEAL_PKCS12_PASSWORD"))
            )
        except ValueError as exc:
            raise SealConfigurationError(
                f"SEAL_PKCS12_PATH={p12_path!r} cannot be opened: wrong "
                "SEAL_PKCS12_PASSWORD, or not a PKCS#12 file."
            ) from exc
        if key is None or cert is None:
            raise SealConfigurationError(
                f"SEAL_PKCS12_PATH={p12_path!r} must hold both a private key "
                "and its certificate."
            )
        return key, cert, list(extra)
    if key_path or cert_path:
        if not (key_path and cert_path):
            raise SealConfigurationError(
                "SEAL_KEY_PATH and SEAL_CERT_PATH are set together: "
                f"{'SEAL_CERT_PATH' if key_path else 'SEAL_KEY_PATH'} is missing."
            )
        key = _load_key(
            "SEAL_KEY_PATH",
            _read("SEAL_KEY_PATH", key_path),
            _password(config.get("SEAL_KEY_PASSWORD")),
        )
        cert, *extra = _load_certs("SEAL_CERT_PATH", _read("SEAL_CERT_PATH", cert_path))
        return key, cert, extra
    return None


def _public_der(public_key) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _holder(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def load_seal(config, *, now: datetime | None = None) -> Seal | None:
    """The seal the configuration names, None when none is configured;
    raises :class:`SealConfigurationError` when it cannot be used."""
    material = _load_material(config)
    if material is None:
        return None
    key, cert, extra = material
    chain_path = config.get("SEAL_CHAIN_PATH")
    if chain_path:
        extra += _load_certs("SEAL_CHAIN_PATH", _read("SEAL_CHAIN_PATH", chain_path))
    if _public_der(key.public_key()) != _public_der(cert.public_key()):
        raise SealConfigurationError(
            "The signing key does not belong to the seal certificate."
        )
    now = now or datetime.now(UTC)
    if cert.not_valid_after_utc < now:
        raise SealConfigurationError(
            f"The seal certificate of {_holder(cert)} expired on "
            f"{cert.not_valid_after_utc:%Y-%m-%d}; configure a current one."
        )
    if cert.not_valid_before_utc > now:
        raise SealConfigurationError(
            f"The seal certificate of {_holder(cert)} is valid only from "
            f"{cert.not_valid_before_utc:%Y-%m-%d}."
        )
    store = SimpleCertificateStore()
    store.register_multiple(
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
        for c in extra
    )
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(
            cert.public_bytes(serialization.Encoding.DER)
        ),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=store,
    )
    return Seal(
        signer=signer,
        holder=_holder(cert),
        not_after=cert.not_valid_after_utc,
        location=config.get("SEAL_LOCATION") or None,
    )


def init_app(app: Flask) -> None:
    """Load the configured seal once; refuse to start when it is unusable."""
    try:
        seal = load_seal(app.config)
    except SealConfigurationError as exc:
        raise RuntimeError(f"Sealed documents: {exc}") from exc
    app.extensions[EXTENSION_KEY] = seal
    if seal is None:
        log.info("No seal certificate configured: letters and minutes are unsealed")
    else:
        log.info(
            "Letters and minutes are sealed by %s (certificate valid until %s)",
            seal.holder,
            f"{seal.not_after:%Y-%m-%d}",
        )


def current_seal() -> Seal | None:
    """The seal of the running application, if one is configured."""
    return current_app.extensions.get(EXTENSION_KEY)


def seal_note() -> str:
    """The line a sealable document prints about its seal."""
    seal = current_seal()
    return seal.note if seal else UNSEALED_NOTE


def seal_pdf(pdf: bytes, reason: str, *, now: datetime | None = None) -> bytes:
    """``pdf`` signed with the configured seal (PAdES baseline B), or
    unchanged when no seal is configured. A failure to sign raises: a
    document is never handed out unsealed when sealing is configured; a
    certificate that has expired since the start-up refuses the document
    with a message."""
    seal = current_seal()
    if seal is None:
        return pdf
    if (now or datetime.now(UTC)) > seal.not_after:
        log.error(
            "The seal certificate of %s expired on %s: documents are refused",
            seal.holder,
            f"{seal.not_after:%Y-%m-%d}",
        )
        raise InvalidInput(
            f"The certificate that seals this document expired on "
            f"{seal.not_after:%d %b %Y}, so it cannot be issued; ask the "
            "administrator to configure a current one."
        )
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=seal.location,
        name=seal.holder,
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    return signers.PdfSigner(meta, signer=seal.signer).sign_pdf(writer).getvalue()
