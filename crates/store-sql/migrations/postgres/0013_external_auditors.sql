-- 0013 external auditors: a certification body's auditor joins an organization with
-- the role external_auditor, which opens only the audits they are invited to (their
-- access is an `audit_access` register entry with its window).

ALTER TABLE memberships DROP CONSTRAINT memberships_role_check;
ALTER TABLE memberships ADD CONSTRAINT memberships_role_check
    CHECK (role IN ('owner', 'isms_manager', 'control_owner', 'contributor', 'auditor', 'viewer', 'external_auditor'));
ALTER TABLE invitations DROP CONSTRAINT invitations_role_check;
ALTER TABLE invitations ADD CONSTRAINT invitations_role_check
    CHECK (role IN ('owner', 'isms_manager', 'control_owner', 'contributor', 'auditor', 'viewer', 'external_auditor'));
