-- A small GitLab-like schema with generated rows: enough for plans with index scans, sequential
-- scans over many rows, joins and sorts. Development data only.
CREATE TABLE namespaces (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    path text NOT NULL,
    type text NOT NULL DEFAULT 'Group',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX index_namespaces_on_path ON namespaces (path);

CREATE TABLE users (
    id bigserial PRIMARY KEY,
    username text NOT NULL,
    email text NOT NULL,
    state text NOT NULL DEFAULT 'active',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX index_users_on_username ON users (username);

CREATE TABLE projects (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    path text NOT NULL,
    namespace_id bigint NOT NULL REFERENCES namespaces (id),
    creator_id bigint REFERENCES users (id),
    visibility_level integer NOT NULL DEFAULT 0,
    archived boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX index_projects_on_namespace_id ON projects (namespace_id);

CREATE TABLE issues (
    id bigserial PRIMARY KEY,
    project_id bigint NOT NULL REFERENCES projects (id),
    author_id bigint REFERENCES users (id),
    title text NOT NULL,
    state_id smallint NOT NULL DEFAULT 1,
    confidential boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX index_issues_on_project_id ON issues (project_id);

CREATE SEQUENCE demo_counter;

INSERT INTO namespaces (name, path, type)
SELECT 'Group ' || g, 'group-' || g, CASE WHEN g % 10 = 0 THEN 'User' ELSE 'Group' END
FROM generate_series(1, 500) AS g;

INSERT INTO users (username, email, state)
SELECT 'user' || g, 'user' || g || '@example.com', CASE WHEN g % 50 = 0 THEN 'blocked' ELSE 'active' END
FROM generate_series(1, 5000) AS g;

INSERT INTO projects (name, path, namespace_id, creator_id, visibility_level, archived, created_at)
SELECT 'Project ' || g, 'project-' || g, 1 + g % 500, 1 + g % 5000, (g % 3) * 10, g % 17 = 0,
       now() - (g || ' minutes')::interval
FROM generate_series(1, 20000) AS g;

INSERT INTO issues (project_id, author_id, title, state_id, confidential, created_at)
SELECT 1 + g % 20000, 1 + g % 5000, 'Issue ' || g, 1 + g % 2, g % 13 = 0, now() - (g || ' seconds')::interval
FROM generate_series(1, 100000) AS g;

ANALYZE;
