"""Synthetic demonstration data: one account per role and a realistic case mix.

Every name, MRN and story here is invented. Loading is idempotent: accounts and
patients are matched by email and MRN and not created twice.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from tumorboard.auth import services as auth_services
from tumorboard.auth.models import User
from tumorboard.auth.permissions import Role
from tumorboard.cases import services as case_services
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.db import today
from tumorboard.extensions import db
from tumorboard.meetings import demo as meetings_demo
from tumorboard.patients import services as patient_services
from tumorboard.patients.models import Patient
from tumorboard.recommendations import demo as recommendations_demo
from tumorboard.reviews import demo as reviews_demo

DEMO_PASSWORD = "tumorboard-demo"

DEMO_USERS = [
    ("coordinator@example.org", "Maria Okafor", Role.COORDINATOR),
    ("ortho@example.org", "Dr Jonas Berg", Role.ORTHOPEDIC_ONCOLOGIST),
    ("radiology@example.org", "Dr Aiko Tanaka", Role.RADIOLOGIST),
    ("pathology@example.org", "Dr Priya Raman", Role.PATHOLOGIST),
    ("palliative@example.org", "Dr Sam Whitfield", Role.PALLIATIVE_CARE),
    ("medonc@example.org", "Dr Elena Rossi", Role.MEDICAL_ONCOLOGIST),
    ("radonc@example.org", "Dr Tomas Achterberg", Role.RADIATION_ONCOLOGIST),
    ("nurse@example.org", "Grace Mensah", Role.NURSE_SPECIALIST),
    ("admin@example.org", "Lee Admin", Role.ADMIN),
    ("privacy@example.org", "Noor Okonjo", Role.PRIVACY_OFFICER),
]

P, M = "primary_bone_tumour", "skeletal_metastasis"

# (family, given, sex, age, type, side, primary, urgency, biopsy,
#  presentation, question, status, lead email); the location and working
#  diagnosis of each row are in LOCATIONS, in the same order.
# fmt: off
CASES = [
    ('Lindqvist', 'Emil', 'male', 15, P, 'left', None,
     'urgent', 'not_biopsied',
     'Night pain in the left knee for 8 weeks; distal femoral metaphyseal lesion '
     'with sunburst periosteal reaction on radiograph.',
     'Suspected osteosarcoma of the distal femur: approve the biopsy route and '
     'staging.',
     'workup', 'ortho@example.org'),
    ('Moreau', 'Chloé', 'female', 17, P, 'right', None,
     'urgent', 'done_at_centre',
     'Proximal tibial lesion, core biopsy at this centre shows conventional '
     'osteosarcoma.',
     'High-grade osteosarcoma of the proximal tibia: neoadjuvant chemotherapy and '
     'limb-salvage planning.',
     'ready', 'ortho@example.org'),
    ('Okonkwo', 'David', 'male', 12, P, 'right', None,
     'urgent', 'done_at_centre',
     'Iliac wing mass with fever and raised inflammatory markers; biopsy: small '
     'round blue cells, EWSR1 rearranged.',
     'Ewing sarcoma of the right ilium: local control modality after induction.',
     'ready', 'medonc@example.org'),
    ('Haddad', 'Yasmin', 'female', 19, P, 'left', None,
     'urgent', 'planned',
     'Painful swelling of the proximal humerus after minor trauma.',
     'Aggressive lesion of the proximal humerus: plan the biopsy tract.',
     'workup', 'ortho@example.org'),
    ('Novak', 'Petr', 'male', 54, P, 'left', None,
     'routine', 'done_at_centre',
     'Slowly growing pelvic mass, chondroid matrix on CT.',
     'Central chondrosarcoma of the acetabulum, grade 2 on biopsy: resection and '
     'reconstruction options.',
     'ready', 'ortho@example.org'),
    ('Fitzgerald', 'Aoife', 'female', 46, P, 'right', None,
     'routine', 'not_biopsied',
     'Incidental enchondroma-like lesion of the distal femur on knee MRI, mild '
     'endosteal scalloping.',
     'Enchondroma versus atypical cartilaginous tumour: surveillance or curettage?',
     'referred', None),
    ('Sato', 'Haruto', 'male', 31, P, 'left', None,
     'urgent', 'done_elsewhere',
     'Epiphyseal lytic lesion of the distal femur extending to subchondral bone.',
     'Giant cell tumour of bone: curettage with adjuvants or denosumab first?',
     'workup', 'ortho@example.org'),
    ('Kowalski', 'Anna', 'female', 63, P, 'midline', None,
     'urgent', 'done_at_centre',
     'Sacral pain and constipation; presacral mass destroying S2–S4.',
     'Sacral chordoma: en bloc resection versus definitive particle therapy.',
     'ready', 'radonc@example.org'),
    ('Brennan', 'Liam', 'male', 9, P, 'right', None,
     'routine', 'not_biopsied',
     'Cortical lucency in the proximal tibia found after a sports injury.',
     'Probable non-ossifying fibroma: confirm no further action is needed.',
     'referred', None),
    ('Adeyemi', 'Tolu', 'female', 22, P, 'left', None,
     'urgent', 'done_elsewhere',
     'Distal femoral lesion excised at another hospital as a presumed ganglion; '
     'histology showed high-grade sarcoma.',
     'Unplanned excision of a high-grade sarcoma: re-excision and staging.',
     'workup', 'ortho@example.org'),
    ('Petersen', 'Ole', 'male', 71, P, 'right', None,
     'routine', 'done_at_centre',
     'Rib mass with pathological fracture.',
     'Solitary plasmacytoma of the rib: radiotherapy and myeloma work-up.',
     'ready', 'radonc@example.org'),
    ('Ivanova', 'Mila', 'female', 14, P, 'left', None,
     'routine', 'not_biopsied',
     'Painful nidus in the femoral neck, relieved by NSAIDs at night.',
     'Osteoid osteoma: radiofrequency ablation?',
     'workup', 'radiology@example.org'),
    ('Nguyen', 'Bao', 'male', 40, P, 'left', None,
     'urgent', 'done_at_centre',
     'Expansile mandibular mass with loosening of teeth.',
     'Osteosarcoma of the mandible: joint plan with maxillofacial surgery.',
     'withdrawn', 'ortho@example.org'),
    ('Gallagher', 'Siobhan', 'female', 58, M, 'right', 'breast',
     'emergency', 'not_biopsied',
     'Known ER-positive breast cancer; lytic lesion of the subtrochanteric femur, '
     'functional pain on weight bearing.',
     'Impending pathological fracture of the femur (Mirels pending): prophylactic '
     'fixation?',
     'workup', 'ortho@example.org'),
    ('Schmidt', 'Klaus', 'male', 72, M, 'midline', 'prostate',
     'urgent', 'not_biopsied',
     'Metastatic prostate cancer; T11 blastic and lytic lesions with back pain on '
     'movement.',
     'Spinal metastasis T11: SINS and need for stabilisation before radiotherapy.',
     'workup', 'radonc@example.org'),
    ('Costa', 'Rui', 'male', 66, M, 'left', 'kidney',
     'urgent', 'done_at_centre',
     'Solitary renal cell carcinoma metastasis of the proximal humerus, 4 years '
     'after nephrectomy.',
     'Solitary renal metastasis: resection and endoprosthesis versus fixation.',
     'ready', 'ortho@example.org'),
    ('Walsh', 'Bridget', 'female', 69, M, 'midline', 'lung',
     'emergency', 'not_biopsied',
     'Lung adenocarcinoma; L2 collapse with new leg weakness.',
     'Metastatic cord compression at L2: decompression or radiotherapy alone?',
     'workup', 'radonc@example.org'),
    ('Yilmaz', 'Emre', 'male', 61, M, 'right', 'myeloma',
     'urgent', 'done_at_centre',
     'Plasma cell myeloma with large acetabular lytic lesion and groin pain.',
     'Acetabular myeloma lesion: radiotherapy and protected weight bearing, or '
     'reconstruction?',
     'ready', 'medonc@example.org'),
    ('Dubois', 'Hélène', 'female', 55, M, 'left', 'thyroid',
     'routine', 'done_at_centre',
     'Follicular thyroid cancer with iodine-avid tibial metastasis.',
     'Thyroid metastasis of the tibia: resection before radioiodine?',
     'referred', None),
    ('Murphy', 'Sean', 'male', 78, M, 'midline', 'unidentified',
     'urgent', 'planned',
     'Multiple vertebral lesions and weight loss; no primary found on CT.',
     'Bone metastases of unknown primary: best biopsy target.',
     'workup', 'radiology@example.org'),
    ('Andersson', 'Karin', 'female', 49, M, 'right', 'breast',
     'routine', 'not_biopsied',
     'Breast cancer on endocrine therapy; painful humeral diaphysis lesion, mixed '
     'pattern.',
     'Humeral metastasis: radiotherapy alone or intramedullary nailing?',
     'ready', 'radonc@example.org'),
    ('Rahman', 'Farid', 'male', 57, M, 'left', 'lung',
     'urgent', 'not_biopsied',
     'Lung cancer with periacetabular destruction and inability to bear weight.',
     'Periacetabular metastasis: palliative reconstruction or best supportive '
     'care?',
     'workup', 'palliative@example.org'),
    ('Jensen', 'Ida', 'female', 74, M, 'midline', 'breast',
     'routine', 'not_biopsied',
     'Stable T7 sclerotic metastasis, mild occasional pain.',
     'T7 metastasis: SINS confirms stable? Continue systemic therapy.',
     'referred', None),
    ('Oliveira', 'Marta', 'female', 64, M, 'right', 'kidney',
     'emergency', 'not_biopsied',
     'Renal cancer; pathological fracture of the femoral shaft last night.',
     'Pathological femoral fracture: embolisation then fixation or resection?',
     'workup', 'ortho@example.org'),
    ('Khan', 'Imran', 'male', 68, M, 'left', 'prostate',
     'routine', 'not_biopsied',
     'Rib metastases with chest wall pain despite opioids.',
     'Painful rib metastases: single-fraction radiotherapy?',
     'referred', None),
    ('Bauer', 'Lena', 'female', 52, P, 'right', None,
     'routine', 'not_biopsied',
     'Calcaneal cystic lesion found on ankle radiograph.',
     'Simple bone cyst of the calcaneus: observation or curettage?',
     'referred', None),
    ('Popescu', 'Andrei', 'male', 35, P, 'right', None,
     'urgent', 'done_at_centre',
     'Proximal tibial telangiectatic osteosarcoma on biopsy, fluid levels on MRI.',
     'Telangiectatic osteosarcoma: chemotherapy start date and surgical plan.',
     'ready', 'ortho@example.org'),
    ('Ahmed', 'Sara', 'female', 27, P, 'left', None,
     'urgent', 'done_at_centre',
     'Sacroiliac mass, biopsy: Ewing sarcoma with lung nodules.',
     'Metastatic Ewing sarcoma: induction regimen and whole-lung radiotherapy.',
     'workup', 'medonc@example.org'),
    ('Mäkinen', 'Eero', 'male', 44, P, 'left', None,
     'routine', 'done_at_centre',
     'Dedifferentiated chondrosarcoma of the proximal femur on resection.',
     'Post-operative: margins close; adjuvant therapy?',
     'withdrawn', 'ortho@example.org'),
    ('Russo', 'Giulia', 'female', 16, P, 'left', None,
     'routine', 'not_biopsied',
     'Fluid-filled expansile lesion of the proximal humerus with fluid–fluid '
     'levels.',
     'Aneurysmal bone cyst versus telangiectatic osteosarcoma: biopsy route.',
     'workup', 'radiology@example.org'),
    ('Hughes', 'Owen', 'male', 80, M, 'right', 'prostate',
     'routine', 'not_biopsied',
     'Frail, ECOG 3; painful blastic femoral lesion.',
     'Femoral metastasis in a frail patient: radiotherapy and palliative-care '
     'input.',
     'ready', 'palliative@example.org'),
    ('Larsen', 'Freja', 'female', 38, P, 'midline', None,
     'urgent', 'done_at_centre',
     'Skull base mass with sixth nerve palsy; biopsy chondrosarcoma grade 1.',
     'Skull base chondrosarcoma: surgery and proton therapy.',
     'workup', 'radonc@example.org'),
]
# fmt: on


def _at(bone, end=None, segment=None, zones=None, level=None, diagnosis=None):
    """A demo location and working diagnosis, as the case form sends them."""
    return {
        "bone": bone,
        "bone_end": end,
        "bone_segment": segment,
        "pelvic_zones": zones,
        "vertebral_level": level,
        "working_diagnosis": diagnosis,
    }


_OS, _EWING = "conventional_osteosarcoma", "ewing_sarcoma"
_DISTAL, _PROXIMAL = "distal", "proximal"
_META, _EPI, _DIA = "metaphysis", "epiphysis", "diaphysis"

#: Bone, segment, zone or level, and working diagnosis per row of CASES (the
#: topography follows from the bone). Metastases have no working diagnosis.
LOCATIONS = [
    _at("femur", _DISTAL, _META, diagnosis=_OS),
    _at("tibia", _PROXIMAL, _META, diagnosis=_OS),
    _at("pelvis", zones="I", diagnosis=_EWING),
    _at("humerus", _PROXIMAL, _META),
    _at("pelvis", zones="II", diagnosis="central_chondrosarcoma_grade_2_3"),
    _at("femur", _DISTAL, _META, diagnosis="enchondroma"),
    _at("femur", _DISTAL, _EPI, diagnosis="giant_cell_tumour_of_bone"),
    _at("sacrum", diagnosis="conventional_chordoma"),
    _at("tibia", _PROXIMAL, _META, diagnosis="non_ossifying_fibroma"),
    _at("femur", _DISTAL, _META, diagnosis="undifferentiated_pleomorphic_sarcoma"),
    _at("rib", diagnosis="solitary_plasmacytoma"),
    _at("femur", _PROXIMAL, _META, diagnosis="osteoid_osteoma"),
    _at("mandible", diagnosis=_OS),
    _at("femur", _PROXIMAL, _META),
    _at("vertebra", level="T11"),
    _at("humerus", _PROXIMAL, _META),
    _at("vertebra", level="L2"),
    _at("pelvis", zones="II"),
    _at("tibia", segment=_DIA),
    _at("vertebra"),
    _at("humerus", segment=_DIA),
    _at("pelvis", zones="II"),
    _at("vertebra", level="T7"),
    _at("femur", segment=_DIA),
    _at("rib"),
    _at("calcaneus", diagnosis="simple_bone_cyst"),
    _at("tibia", _PROXIMAL, _META, diagnosis="telangiectatic_osteosarcoma"),
    _at("pelvis", zones="I+IV", diagnosis=_EWING),
    _at("femur", _PROXIMAL, _META, diagnosis="dedifferentiated_chondrosarcoma"),
    _at("humerus", _PROXIMAL, _META, diagnosis="aneurysmal_bone_cyst"),
    _at("femur", segment=_DIA),
    _at("skull", diagnosis="chondrosarcoma_grade_1"),
]
if len(LOCATIONS) != len(CASES):  # pragma: no cover - data guard
    raise RuntimeError("every demo case needs its location")

REFERRERS = ["Hale", "Ortiz", "Kaur", "Mbeki"]
#: Invented general practitioners; every fifth demo patient has none recorded.
GPS = [
    ("Dr Ruth Calder", "Brookside Medical Practice, 4 Mill Lane, Eastfield"),
    ("Dr Kwame Asante", "Harbour View Surgery, 27 Quay Street, Westport"),
    ("Dr Ingrid Solberg", "Elm Road Health Centre, 112 Elm Road, Northam"),
]


def _demo_gp(index: int) -> dict[str, str]:
    """The GP fields of the ``index``-th demo patient (none for every fifth)."""
    if index % 5 == 4:
        return {}
    name, practice = GPS[index % len(GPS)]
    return {"gp_name": name, "gp_practice": practice}


_PATH_TO_STATUS = {
    "referred": [],
    "workup": [CaseStatus.WORKUP],
    "ready": [CaseStatus.WORKUP, CaseStatus.READY],
    "withdrawn": [CaseStatus.WORKUP, CaseStatus.WITHDRAWN],
}


def load() -> dict[str, int]:
    """Create what is missing; report how many accounts, cases, reviews, meetings
    and recommendations were added."""
    created = {"users": 0, "cases": 0}
    users = {}
    for email, name, role in DEMO_USERS:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = auth_services.create_user(
                None, email=email, name=name, role=role, password=DEMO_PASSWORD
            )
            created["users"] += 1
        users[email] = user
    coordinator = users["coordinator@example.org"]
    boards = meetings_demo.make_boards(users)
    now = today()
    for index, row in enumerate(CASES):
        (
            family,
            given,
            sex,
            age,
            case_type,
            side,
            primary,
            urgency,
            biopsy,
            presentation,
            question,
            status,
            lead,
        ) = row
        mrn = f"DEMO{100001 + index}"
        if patient_services.find_by_mrn(mrn) is not None:
            continue
        birth = date(now.year - age, 1 + index % 12, 1 + (index * 7) % 28)
        patient = patient_services.create_patient(
            coordinator,
            {
                "mrn": mrn,
                "given_name": given,
                "family_name": family,
                "birth_date": birth,
                "sex": sex,
                **_demo_gp(index),
            },
        )
        excision = case_type == P and "unplanned" in question.lower()
        case = case_services.create_case(
            coordinator,
            patient,
            {
                "board_id": boards[case_type].id,
                "case_type": case_type,
                **LOCATIONS[index],
                "laterality": side,
                "known_primary": primary,
                "presentation": presentation,
                "clinical_question": question,
                "referral_source": "external_hospital" if index % 3 else "internal",
                "referring_clinician": f"Dr {REFERRERS[index % len(REFERRERS)]}",
                "referral_date": now - timedelta(days=3 + (index * 5) % 60),
                "urgency": urgency,
                "biopsy_status": biopsy,
                "unplanned_excision_date": now - timedelta(days=70)
                if excision
                else None,
                "unplanned_excision_institution": (
                    "St Elsewhere District Hospital" if excision else None
                ),
                "lead_clinician_id": users[lead].id if lead else None,
                # The nurse specialist is key worker for two cases in three.
                "key_worker_id": users["nurse@example.org"].id if index % 3 else None,
            },
        )
        for target in _PATH_TO_STATUS[status]:
            if target == CaseStatus.READY:
                # The readiness gate needs the reviews (or waivers) first.
                reviews_demo.make_ready(users, case, index)
            case_services.transition_case(
                coordinator,
                case,
                target,
                reason=(
                    "Patient chose treatment closer to home."
                    if target == CaseStatus.WITHDRAWN
                    else None
                ),
            )
        created["cases"] += 1
    cases = list(
        db.session.scalars(
            sa.select(Case)
            .join(Case.patient)
            .where(Patient.mrn.startswith("DEMO"))
            .order_by(Case.id)
        )
    )
    created["reviews"] = reviews_demo.load(users, cases)
    created["meetings"] = meetings_demo.load(users, cases, boards)
    created["recommendations"] = recommendations_demo.load(users, cases)
    return created
