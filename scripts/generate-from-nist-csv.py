#!/usr/bin/env python3
"""Writes the framework and mapping files derived from NIST's published lists and
crosswalks (normalized CSV copies in testdata/mappings). Run by
scripts/generate-frameworks; review the diff. US-government works, public domain."""
import csv, os, sys
from collections import defaultdict

src = sys.argv[1]
root = os.path.join(os.path.dirname(__file__), '..', 'frameworks')

def rows(name):
    with open(os.path.join(src, name), newline='') as f:
        return list(csv.DictReader(f))

def write_csv(path, header, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(header)
        w.writerows(data)

def item_ids(fw):
    with open(os.path.join(root, fw, 'items.csv'), newline='') as f:
        return {r['id'] for r in csv.DictReader(f)}

# --- NIST CSF 2.0: active functions, categories and subcategories -------------------
csf = [r for r in rows('csf2_elements.csv') if r['status'] == 'active']
items = []
for r in csf:
    kind = r['element_type']
    title = r['title'].strip().title() if kind == 'function' else (r['title'].strip() or r['outcome_text'].strip())
    text = r['outcome_text'].strip() if kind != 'subcategory' else ''
    items.append([r['element_id'], r['parent_id'], kind, title, text, r['function_id']])
write_csv(os.path.join(root, 'nist-csf-2.0', 'items.csv'), ['id', 'parent', 'kind', 'title', 'text', 'function'], items)
csf_ids = {i[0] for i in items}

# --- NIST SP 800-171 Rev. 2 ----------------------------------------------------------
req = rows('sp800-171r2_requirements.csv')
families = {}
for r in req:
    families.setdefault(r['family_id'], r['family'])
items = []
for fid, name in families.items():
    items.append([fid, '', 'family', name, '', '', ''])
    for r in (x for x in req if x['family_id'] == fid):
        statement = r['statement'].strip()
        title = statement if len(statement) <= 120 else statement[:117].rsplit(' ', 1)[0] + '...'
        items.append([r['requirement_id'], fid, 'requirement', title, statement, r['requirement_type'], r['cmmc_practice_id']])
write_csv(os.path.join(root, 'nist-800-171r2', 'items.csv'),
          ['id', 'parent', 'kind', 'title', 'text', 'requirement_type', 'cmmc_practice'], items)

# --- CMMC 2.0: Level 1 (17 practices) and Level 2 (the other 93) --------------------
items = [['L1', '', 'section', 'Level 1 (Foundational): FCI, FAR 52.204-21', '', ''],
         ['L2', '', 'section', 'Level 2 (Advanced): CUI, NIST SP 800-171 Rev. 2', '', '']]
links = []
for level in ('L1', 'L2'):
    for r in req:
        practice = r['cmmc_practice_id']
        if f'.{level}-' in practice:
            statement = r['statement'].strip()
            title = statement if len(statement) <= 120 else statement[:117].rsplit(' ', 1)[0] + '...'
            items.append([practice, level, 'practice', title, statement, level[1]])
            links.append([practice, r['requirement_id'], 'equivalent'])
write_csv(os.path.join(root, 'cmmc-2.0', 'items.csv'), ['id', 'parent', 'kind', 'title', 'text', 'level'], items)
write_csv(os.path.join(root, 'mappings', 'cmmc-2.0_to_nist-800-171r2.csv'), ['source_id', 'target_id', 'relation'], links)

# --- Official crosswalks -------------------------------------------------------------
sp53 = item_ids('nist-800-53r5')
def sp53_id(x):
    return x.lower() if x.isalpha() else x   # family references (CP, IR) are our family ids (cp, ir)

dropped = defaultdict(set)
def official(name, out, src_col, tgt_col, keep, relation='intersects', fix=lambda x: x):
    seen, data = set(), []
    for r in rows(name):
        s, t = r[src_col].strip(), fix(r[tgt_col].strip())
        if not keep(s, t):
            dropped[out].add(t)
            continue
        if (s, t) not in seen:
            seen.add((s, t))
            data.append([s, t, relation])
    write_csv(os.path.join(root, 'mappings', out + '.csv'), ['source_id', 'target_id', 'relation'], data)
    return len(data)

iso = item_ids('iso27001-2022')
def iso_id(x):
    return x if x in iso else x
n1 = official('csf2_to_sp800-53r5.1.1.csv', 'nist-csf-2.0_to_nist-800-53r5', 'source_id', 'target_id',
              lambda s, t: s in csf_ids and t in sp53, fix=sp53_id)
n2 = official('sp800-53r5_to_iso27001_2022.csv', 'nist-800-53r5_to_iso27001-2022', 'source_id', 'target_id',
              lambda s, t: s in sp53 and t in iso)
hipaa = item_ids('hipaa-security')
n3 = official('hipaa_to_sp800-53r5.1.1.csv', 'hipaa-security_to_nist-800-53r5', 'source_id', 'target_id',
              lambda s, t: s in hipaa and t in sp53, fix=sp53_id)

# --- SP 800-171 Rev. 2 to ISO/IEC 27001:2022, derived ---------------------------------
# Appendix D names ISO/IEC 27001:2013 controls for each requirement (via SP 800-53 Rev. 4);
# our 2013 -> 2022 correspondence carries them to 2022.
to2022 = defaultdict(set)
with open(os.path.join(root, 'mappings', 'iso27001-2013_to_iso27001-2022.csv'), newline='') as f:
    for r in csv.DictReader(f):
        to2022[r['source_id']].add(r['target_id'])
derived = defaultdict(set)
for r in rows('sp800-171r2_to_sp800-53r4.csv'):
    for ref in filter(None, (x.strip().rstrip('*') for x in r['iso27001_2013_via_800-53_control'].split(';'))):
        for t in to2022.get(ref, ()):
            derived[r['source_id']].add(t)
def order(i):
    return [int(x) if x.isdigit() else x for x in i.replace('A.', '').split('.')]
data = [[s, t, 'intersects'] for s in sorted(derived, key=order) for t in sorted(derived[s], key=order)]
write_csv(os.path.join(root, 'mappings', 'nist-800-171r2_to_iso27001-2022.csv'), ['source_id', 'target_id', 'relation'], data)

print(f'csf->53: {n1} links, 53->iso: {n2}, hipaa->53: {n3}, 171->iso: {len(data)} links for {len(derived)} requirements')
for k, v in dropped.items():
    print(f'{k}: dropped links to {sorted(v)} (not in the shipped catalog)')

# --- CMMC 2.0 and FAR 52.204-21 to ISO/IEC 27001:2022, derived ----------------------
# A CMMC practice is its SP 800-171 requirement; FAR requirements are CMMC Level 1
# practices. Both reach ISO through the SP 800-171 -> ISO links (Appendix D and ours).
def links(name):
    with open(os.path.join(root, 'mappings', name + '.csv'), newline='') as f:
        return [(r['source_id'], r['target_id']) for r in csv.DictReader(f)]
req_iso = defaultdict(set)
for name in ('nist-800-171r2_to_iso27001-2022', 'nist-800-171r2_to_iso27001-2022_isms'):
    for s, t in links(name):
        req_iso[s].add(t)
cmmc_iso = defaultdict(set)
for practice, requirement in links('cmmc-2.0_to_nist-800-171r2'):
    cmmc_iso[practice] |= req_iso[requirement]
far_iso = defaultdict(set)
for far, practice in links('far-52.204-21_to_cmmc-2.0'):
    far_iso[far] |= cmmc_iso[practice]
for name, table in (('cmmc-2.0_to_iso27001-2022', cmmc_iso), ('far-52.204-21_to_iso27001-2022', far_iso)):
    data = [[s, t, 'intersects'] for s in table for t in sorted(table[s], key=order)]
    write_csv(os.path.join(root, 'mappings', name + '.csv'), ['source_id', 'target_id', 'relation'], data)
    print(f'{name}: {len(data)} links for {len(table)} items')
