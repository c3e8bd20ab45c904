"""Case search index: one row of folded words per case, with SQLite FTS5 / PostgreSQL GIN full-text index, filled for existing cases

Revision ID: e2a3b4c5d6f7
Revises: e1f2a3b4c5d6
Create Date: 2026-12-01 18:00:00.000000

The fill below is frozen at this revision (a migration never imports the
application): patient MRN and names, case reference, site code, label and bone
words, laterality, case type, known primary, presentation, question and the
pathology diagnosis key and code. `flask search rebuild` rewrites every row
with the application's current words (catalogue names and synonyms).
"""
import json
import re
import unicodedata

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e2a3b4c5d6f7'
down_revision = 'e1f2a3b4c5d6'
branch_labels = None
depends_on = None

FTS = 'case_search_fts'
SEARCH_DDL = {
    'sqlite': [
        f"CREATE VIRTUAL TABLE {FTS} USING fts5(document, "
        "content='case_search', content_rowid='case_id', "
        "tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
        f"CREATE TRIGGER {FTS}_insert AFTER INSERT ON case_search BEGIN "
        f"INSERT INTO {FTS}(rowid, document) VALUES (new.case_id, new.document); END",
        f"CREATE TRIGGER {FTS}_delete AFTER DELETE ON case_search BEGIN "
        f"INSERT INTO {FTS}({FTS}, rowid, document) "
        "VALUES ('delete', old.case_id, old.document); END",
        f"CREATE TRIGGER {FTS}_update AFTER UPDATE ON case_search BEGIN "
        f"INSERT INTO {FTS}({FTS}, rowid, document) "
        "VALUES ('delete', old.case_id, old.document); "
        f"INSERT INTO {FTS}(rowid, document) VALUES (new.case_id, new.document); END",
    ],
    'postgresql': [
        # PL/pgSQL so that its declared cost steers the planner to the index.
        "CREATE OR REPLACE FUNCTION case_search_words(document text) RETURNS tsvector "
        "LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$ BEGIN "
        "RETURN array_to_tsvector(string_to_array(document, ' ')); END $$",
        "CREATE INDEX ix_case_search_document ON case_search "
        "USING gin (case_search_words(document))",
    ],
}

# Topography labels and bone words as of this revision.
SITES = {
    'C40.0': 'Long bones of upper limb, scapula and associated joints humerus humeral '
             'radius radial ulna ulnar scapula scapular shoulder elbow arm forearm',
    'C40.1': 'Short bones of upper limb and associated joints hand wrist carpal carpus '
             'metacarpal phalanx phalanges finger thumb scaphoid',
    'C40.2': 'Long bones of lower limb and associated joints femur femoral tibia '
             'tibial fibula fibular knee hip thigh leg',
    'C40.3': 'Short bones of lower limb and associated joints foot ankle tarsal tarsus '
             'metatarsal calcaneus calcaneal talus phalanx phalanges toe patella',
    'C40.8': 'Overlapping lesion of bones, joints and articular cartilage of limbs limb',
    'C40.9': 'Bone of limb, NOS limb',
    'C41.0': 'Bones of skull and face and associated joints (excludes mandible, C41.1) '
             'skull cranium cranial calvaria maxilla maxillary face facial orbit '
             'sphenoid temporal frontal occipital parietal',
    'C41.1': 'Mandible mandible mandibular jaw',
    'C41.2': 'Vertebral column (excludes sacrum and coccyx, which are C41.4) spine '
             'spinal vertebra vertebrae vertebral cervical thoracic lumbar atlas axis',
    'C41.3': 'Rib, sternum, clavicle and associated joints rib ribs sternum sternal '
             'clavicle clavicular chest',
    'C41.4': 'Pelvic bones, sacrum, coccyx and associated joints pelvis pelvic ilium '
             'iliac ischium pubis pubic acetabulum acetabular sacrum sacral coccyx '
             'sacroiliac',
    'C41.8': 'Overlapping lesion of bones, joints and articular cartilage',
    'C41.9': 'Bone, NOS bone',
}
_LATIN = str.maketrans({'ø': 'o', 'æ': 'ae', 'œ': 'oe', 'ł': 'l', 'đ': 'd', 'ð': 'd',
                        'þ': 'th', 'ı': 'i'})
_FOLDS = (('haem', 'hem'), ('tumour', 'tumor'), ('oesoph', 'esoph'))


def _fold_words(value):
    decomposed = unicodedata.normalize('NFKD', value.casefold().translate(_LATIN))
    plain = ''.join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = []
    for word in re.sub(r'[^0-9a-z]+', ' ', plain.casefold()).split():
        for british, american in _FOLDS:
            word = word.replace(british, american)
        words.append(word)
    return words


def _words(texts):
    seen = {}
    for text in texts:
        for chunk in (text or '').split():
            words = _fold_words(chunk)
            joined = ''.join(words)
            if len(words) > 1 and any(ch.isdigit() for ch in joined):
                words.append(joined)
            for word in words:
                if len(word) <= 60:
                    seen.setdefault(word, None)
    return list(seen)


def _fill(connection):
    pathology = {}
    for case_id, data in connection.execute(sa.text(
        "SELECT r.case_id, v.data FROM discipline_reviews r "
        "JOIN review_revisions v ON v.review_id = r.id AND v.number = r.current_number "
        "WHERE r.discipline = 'pathology'"
    )):
        if isinstance(data, str):
            data = json.loads(data)
        data = data or {}
        pathology[case_id] = [
            (data.get('who_entity') or '').replace('_', ' '),
            data.get('primary_histology') or '',
            data.get('icdo_code') or '',
        ]
    rows = []
    for row in connection.execute(sa.text(
        "SELECT c.id, c.case_type, c.site_code, c.laterality, c.known_primary, "
        "c.presentation, c.clinical_question, p.mrn, p.given_name, p.family_name "
        "FROM cases c JOIN patients p ON p.id = c.patient_id"
    )).mappings():
        laterality = row['laterality']
        texts = [
            f"TB-{row['id']:05d}", row['mrn'], row['given_name'], row['family_name'],
            row['case_type'].replace('_', ' '),
            row['site_code'], SITES.get(row['site_code'], ''),
            '' if laterality in ('not_applicable', 'unknown') else laterality,
            (row['known_primary'] or '').replace('_', ' '),
            row['presentation'], row['clinical_question'],
            *pathology.get(row['id'], []),
        ]
        rows.append({
            'case_id': row['id'],
            'mrn_key': ''.join(_fold_words(row['mrn'])),
            'names': ' '.join(_words([row['given_name'], row['family_name']])),
            'document': ' '.join(_words(texts)),
        })
    if rows:
        connection.execute(sa.text(
            "INSERT INTO case_search (case_id, mrn_key, names, document) "
            "VALUES (:case_id, :mrn_key, :names, :document)"
        ), rows)


def upgrade():
    op.create_table(
        'case_search',
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('mrn_key', sa.String(length=20), nullable=False),
        sa.Column('names', sa.String(length=250), nullable=False),
        sa.Column('document', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_search_case_id_cases'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('case_id', name=op.f('pk_case_search')),
    )
    connection = op.get_bind()
    for statement in SEARCH_DDL.get(connection.dialect.name, []):
        op.execute(statement)
    _fill(connection)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f'DROP TABLE IF EXISTS {FTS}')
    else:
        op.execute('DROP INDEX IF EXISTS ix_case_search_document')
    op.drop_table('case_search')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS case_search_words(text)')
