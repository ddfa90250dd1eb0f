-- The procedure the citizen took the number for (from a procedure page of the kiosk), so the
-- counter sees why they came. NULL: a number taken for the service alone.
ALTER TABLE tickets ADD COLUMN procedure_code TEXT;
