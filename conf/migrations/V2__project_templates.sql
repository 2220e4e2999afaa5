-- Demo data for lock status: a lock on project-version:<id> shows the version's name and its
-- template's id and name (the seed's GetStatusOfProjectVersionTemplate). A host application
-- keeps its own rows here; these few make the embedded demo and the tests meaningful.
-- MemoryLockStore carries the same rows for the in-memory default.

CREATE TABLE project_templates (
  id   bigint PRIMARY KEY,
  name text   NOT NULL
);

CREATE TABLE project_versions (
  id          bigint PRIMARY KEY,
  template_id bigint NOT NULL REFERENCES project_templates (id),
  name        text   NOT NULL
);

INSERT INTO project_templates (id, name) VALUES
  (1, 'Website launch'),
  (2, 'Quarterly report'),
  (3, 'Onboarding checklist');

INSERT INTO project_versions (id, template_id, name) VALUES
  (1, 1, 'Draft'),
  (2, 1, 'Client review'),
  (3, 2, 'Q1'),
  (4, 2, 'Q2'),
  (42, 3, 'Engineering');
