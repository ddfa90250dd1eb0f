-- The catalog's synonym table (the words citizens use → the catalog's words), sent to kiosks
-- with every catalog answer. No row: the bundled table (motcua-catalog) is served.
CREATE TABLE catalog_settings (
    key   text PRIMARY KEY,
    value text NOT NULL
);
