-- What a lock on project-version:<id> shows (the version's and its template's names) is the
-- host application's data: Parley asks for it on the bus address locks.resourceInfo and keeps
-- none of it (see docs/addresses.md). V2 created project_templates and project_versions and
-- put the web demo's rows in them, so every database got "Website launch", "Engineering" and
-- the rest. An applied migration is never edited (Flyway checks each one's checksum at every
-- start), so this one takes them away again, where that is certain to lose nothing:
--
--  * both tables hold exactly the five versions and three templates V2 inserted, nothing else
--    and nothing changed: they are dropped, as Parley no longer reads them;
--  * anything else (a host added, changed or removed rows, or points at the tables from its
--    own, which makes the DROP fail): both tables are kept as they are, now the host's, and a
--    NOTICE says why. Parley no longer reads them either way.
--
-- A database created from now on runs V2 then this, and ends without the demo's rows.
DO $$
BEGIN
  IF to_regclass('project_versions') IS NULL OR to_regclass('project_templates') IS NULL THEN
    RETURN; -- dropped by hand already
  END IF;
  IF (SELECT count(*) FROM project_templates) = 3
     AND (SELECT count(*) FROM project_versions) = 5
     AND NOT EXISTS (
       SELECT id, name FROM project_templates
       EXCEPT VALUES (1::bigint, 'Website launch'::text), (2, 'Quarterly report'), (3, 'Onboarding checklist'))
     AND NOT EXISTS (
       SELECT id, template_id, name FROM project_versions
       EXCEPT VALUES (1::bigint, 1::bigint, 'Draft'::text), (2, 1, 'Client review'), (3, 2, 'Q1'), (4, 2, 'Q2'),
                     (42, 3, 'Engineering'))
  THEN
    BEGIN
      DROP TABLE project_versions;
      DROP TABLE project_templates;
    EXCEPTION WHEN dependent_objects_still_exist THEN
      RAISE NOTICE 'project_versions and project_templates kept: other objects depend on them (%)', SQLERRM;
    END;
  ELSE
    RAISE NOTICE 'project_versions and project_templates kept: they hold rows other than the web demo''s';
  END IF;
END
$$;
