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
]

P, M = "primary_bone_tumour", "skeletal_metastasis"

# (family, given, sex, age, type, site, side, primary, urgency, biopsy,
#  presentation, question, status, lead email)
# fmt: off
CASES = [
    ('Lindqvist', 'Emil', 'male', 15, P, 'C40.2', 'left', None,
     'urgent', 'not_biopsied',
     'Night pain in the left knee for 8 weeks; distal femoral metaphyseal lesion '
     'with sunburst periosteal reaction on radiograph.',
     'Suspected osteosarcoma of the distal femur: approve the biopsy route and '
     'staging.',
     'workup', 'ortho@example.org'),
    ('Moreau', 'Chloé', 'female', 17, P, 'C40.2', 'right', None,
     'urgent', 'done_at_centre',
     'Proximal tibial lesion, core biopsy at this centre shows conventional '
     'osteosarcoma.',
     'High-grade osteosarcoma of the proximal tibia: neoadjuvant chemotherapy and '
     'limb-salvage planning.',
     'ready', 'ortho@example.org'),
    ('Okonkwo', 'David', 'male', 12, P, 'C41.4', 'right', None,
     'urgent', 'done_at_centre',
     'Iliac wing mass with fever and raised inflammatory markers; biopsy: small '
     'round blue cells, EWSR1 rearranged.',
     'Ewing sarcoma of the right ilium: local control modality after induction.',
     'ready', 'medonc@example.org'),
    ('Haddad', 'Yasmin', 'female', 19, P, 'C40.0', 'left', None,
     'urgent', 'planned',
     'Painful swelling of the proximal humerus after minor trauma.',
     'Aggressive lesion of the proximal humerus: plan the biopsy tract.',
     'workup', 'ortho@example.org'),
    ('Novak', 'Petr', 'male', 54, P, 'C41.4', 'left', None,
     'routine', 'done_at_centre',
     'Slowly growing pelvic mass, chondroid matrix on CT.',
     'Central chondrosarcoma of the acetabulum, grade 2 on biopsy: resection and '
     'reconstruction options.',
     'ready', 'ortho@example.org'),
    ('Fitzgerald', 'Aoife', 'female', 46, P, 'C40.2', 'right', None,
     'routine', 'not_biopsied',
     'Incidental enchondroma-like lesion of the distal femur on knee MRI, mild '
     'endosteal scalloping.',
     'Enchondroma versus atypical cartilaginous tumour: surveillance or curettage?',
     'referred', None),
    ('Sato', 'Haruto', 'male', 31, P, 'C40.2', 'left', None,
     'urgent', 'done_elsewhere',
     'Epiphyseal lytic lesion of the distal femur extending to subchondral bone.',
     'Giant cell tumour of bone: curettage with adjuvants or denosumab first?',
     'workup', 'ortho@example.org'),
    ('Kowalski', 'Anna', 'female', 63, P, 'C41.2', 'midline', None,
     'urgent', 'done_at_centre',
     'Sacral pain and constipation; presacral mass destroying S2–S4.',
     'Sacral chordoma: en bloc resection versus definitive particle therapy.',
     'ready', 'radonc@example.org'),
    ('Brennan', 'Liam', 'male', 9, P, 'C40.2', 'right', None,
     'routine', 'not_biopsied',
     'Cortical lucency in the proximal tibia found after a sports injury.',
     'Probable non-ossifying fibroma: confirm no further action is needed.',
     'referred', None),
    ('Adeyemi', 'Tolu', 'female', 22, P, 'C40.2', 'left', None,
     'urgent', 'done_elsewhere',
     'Distal femoral lesion excised at another hospital as a presumed ganglion; '
     'histology showed high-grade sarcoma.',
     'Unplanned excision of a high-grade sarcoma: re-excision and staging.',
     'workup', 'ortho@example.org'),
    ('Petersen', 'Ole', 'male', 71, P, 'C41.3', 'right', None,
     'routine', 'done_at_centre',
     'Rib mass with pathological fracture.',
     'Solitary plasmacytoma of the rib: radiotherapy and myeloma work-up.',
     'ready', 'radonc@example.org'),
    ('Ivanova', 'Mila', 'female', 14, P, 'C40.2', 'left', None,
     'routine', 'not_biopsied',
     'Painful nidus in the femoral neck, relieved by NSAIDs at night.',
     'Osteoid osteoma: radiofrequency ablation?',
     'workup', 'radiology@example.org'),
    ('Nguyen', 'Bao', 'male', 40, P, 'C41.1', 'left', None,
     'urgent', 'done_at_centre',
     'Expansile mandibular mass with loosening of teeth.',
     'Osteosarcoma of the mandible: joint plan with maxillofacial surgery.',
     'withdrawn', 'ortho@example.org'),
    ('Gallagher', 'Siobhan', 'female', 58, M, 'C40.2', 'right', 'breast',
     'emergency', 'not_biopsied',
     'Known ER-positive breast cancer; lytic lesion of the subtrochanteric femur, '
     'functional pain on weight bearing.',
     'Impending pathological fracture of the femur (Mirels pending): prophylactic '
     'fixation?',
     'workup', 'ortho@example.org'),
    ('Schmidt', 'Klaus', 'male', 72, M, 'C41.2', 'midline', 'prostate',
     'urgent', 'not_biopsied',
     'Metastatic prostate cancer; T11 blastic and lytic lesions with back pain on '
     'movement.',
     'Spinal metastasis T11: SINS and need for stabilisation before radiotherapy.',
     'workup', 'radonc@example.org'),
    ('Costa', 'Rui', 'male', 66, M, 'C40.0', 'left', 'kidney',
     'urgent', 'done_at_centre',
     'Solitary renal cell carcinoma metastasis of the proximal humerus, 4 years '
     'after nephrectomy.',
     'Solitary renal metastasis: resection and endoprosthesis versus fixation.',
     'ready', 'ortho@example.org'),
    ('Walsh', 'Bridget', 'female', 69, M, 'C41.2', 'midline', 'lung',
     'emergency', 'not_biopsied',
     'Lung adenocarcinoma; L2 collapse with new leg weakness.',
     'Metastatic cord compression at L2: decompression or radiotherapy alone?',
     'workup', 'radonc@example.org'),
    ('Yilmaz', 'Emre', 'male', 61, M, 'C41.4', 'right', 'myeloma',
     'urgent', 'done_at_centre',
     'Plasma cell myeloma with large acetabular lytic lesion and groin pain.',
     'Acetabular myeloma lesion: radiotherapy and protected weight bearing, or '
     'reconstruction?',
     'ready', 'medonc@example.org'),
    ('Dubois', 'Hélène', 'female', 55, M, 'C40.2', 'left', 'thyroid',
     'routine', 'done_at_centre',
     'Follicular thyroid cancer with iodine-avid tibial metastasis.',
     'Thyroid metastasis of the tibia: resection before radioiodine?',
     'referred', None),
    ('Murphy', 'Sean', 'male', 78, M, 'C41.2', 'midline', 'unidentified',
     'urgent', 'planned',
     'Multiple vertebral lesions and weight loss; no primary found on CT.',
     'Bone metastases of unknown primary: best biopsy target.',
     'workup', 'radiology@example.org'),
    ('Andersson', 'Karin', 'female', 49, M, 'C40.0', 'right', 'breast',
     'routine', 'not_biopsied',
     'Breast cancer on endocrine therapy; painful humeral diaphysis lesion, mixed '
     'pattern.',
     'Humeral metastasis: radiotherapy alone or intramedullary nailing?',
     'ready', 'radonc@example.org'),
    ('Rahman', 'Farid', 'male', 57, M, 'C41.4', 'left', 'lung',
     'urgent', 'not_biopsied',
     'Lung cancer with periacetabular destruction and inability to bear weight.',
     'Periacetabular metastasis: palliative reconstruction or best supportive '
     'care?',
     'workup', 'palliative@example.org'),
    ('Jensen', 'Ida', 'female', 74, M, 'C41.2', 'midline', 'breast',
     'routine', 'not_biopsied',
     'Stable T7 sclerotic metastasis, mild occasional pain.',
     'T7 metastasis: SINS confirms stable? Continue systemic therapy.',
     'referred', None),
    ('Oliveira', 'Marta', 'female', 64, M, 'C40.2', 'right', 'kidney',
     'emergency', 'not_biopsied',
     'Renal cancer; pathological fracture of the femoral shaft last night.',
     'Pathological femoral fracture: embolisation then fixation or resection?',
     'workup', 'ortho@example.org'),
    ('Khan', 'Imran', 'male', 68, M, 'C41.3', 'left', 'prostate',
     'routine', 'not_biopsied',
     'Rib metastases with chest wall pain despite opioids.',
     'Painful rib metastases: single-fraction radiotherapy?',
     'referred', None),
    ('Bauer', 'Lena', 'female', 52, P, 'C40.3', 'right', None,
     'routine', 'not_biopsied',
     'Calcaneal cystic lesion found on ankle radiograph.',
     'Simple bone cyst of the calcaneus: observation or curettage?',
     'referred', None),
    ('Popescu', 'Andrei', 'male', 35, P, 'C40.2', 'right', None,
     'urgent', 'done_at_centre',
     'Proximal tibial telangiectatic osteosarcoma on biopsy, fluid levels on MRI.',
     'Telangiectatic osteosarcoma: chemotherapy start date and surgical plan.',
     'ready', 'ortho@example.org'),
    ('Ahmed', 'Sara', 'female', 27, P, 'C41.4', 'left', None,
     'urgent', 'done_at_centre',
     'Sacroiliac mass, biopsy: Ewing sarcoma with lung nodules.',
     'Metastatic Ewing sarcoma: induction regimen and whole-lung radiotherapy.',
     'workup', 'medonc@example.org'),
    ('Mäkinen', 'Eero', 'male', 44, P, 'C40.2', 'left', None,
     'routine', 'done_at_centre',
     'Dedifferentiated chondrosarcoma of the proximal femur on resection.',
     'Post-operative: margins close; adjuvant therapy?',
     'withdrawn', 'ortho@example.org'),
    ('Russo', 'Giulia', 'female', 16, P, 'C40.0', 'left', None,
     'routine', 'not_biopsied',
     'Fluid-filled expansile lesion of the proximal humerus with fluid–fluid '
     'levels.',
     'Aneurysmal bone cyst versus telangiectatic osteosarcoma: biopsy route.',
     'workup', 'radiology@example.org'),
    ('Hughes', 'Owen', 'male', 80, M, 'C40.2', 'right', 'prostate',
     'routine', 'not_biopsied',
     'Frail, ECOG 3; painful blastic femoral lesion.',
     'Femoral metastasis in a frail patient: radiotherapy and palliative-care '
     'input.',
     'ready', 'palliative@example.org'),
    ('Larsen', 'Freja', 'female', 38, P, 'C41.0', 'midline', None,
     'urgent', 'done_at_centre',
     'Skull base mass with sixth nerve palsy; biopsy chondrosarcoma grade 1.',
     'Skull base chondrosarcoma: surgery and proton therapy.',
     'workup', 'radonc@example.org'),
]
# fmt: on

REFERRERS = ["Hale", "Ortiz", "Kaur", "Mbeki"]

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
    now = today()
    for index, row in enumerate(CASES):
        (
            family,
            given,
            sex,
            age,
            case_type,
            site,
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
            },
        )
        excision = case_type == P and "unplanned" in question.lower()
        case = case_services.create_case(
            coordinator,
            patient,
            {
                "case_type": case_type,
                "site_code": site,
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
    created["meetings"] = meetings_demo.load(users, cases)
    created["recommendations"] = recommendations_demo.load(users, cases)
    return created
