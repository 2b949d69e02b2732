-- JPEG bytes do not compress: keep PostgreSQL from trying (pglz on every image, then storing it
-- as it was anyway). EXTERNAL still moves them out of the heap (TOAST), uncompressed.
DO $$
BEGIN
    ALTER TABLE reads ALTER COLUMN plate_jpeg SET STORAGE EXTERNAL,
                      ALTER COLUMN overview_jpeg SET STORAGE EXTERNAL;
EXCEPTION WHEN feature_not_supported OR wrong_object_type THEN
    RAISE NOTICE 'image columns keep their default storage: %', SQLERRM;
END $$;
