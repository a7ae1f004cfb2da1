-- Benchmark data, generated inside PostgreSQL: :applicants applicants, :filings filings spread over every
-- state (each with a subject, its responsible person, one website with a domain and an IP) and three
-- audit events per filing. :states is the list of states; the reviewer and admin are added by run.py.
-- The rows are made consistent here, so the foreign keys' triggers are not fired for each of them
-- (session_replication_role: a superuser's setting; docs/performance.md gives the seed times).
SET session_replication_role = replica;
INSERT INTO users (id, email, password_hash, display_name, role, is_enabled, failed_logins, created_at)
SELECT g, 'applicant' || g || '@bench.example.cn', :password_hash, '申请人' || g, 'applicant', true, 0,
       now() - interval '400 days'
FROM generate_series(1, :applicants) AS g;

INSERT INTO persons (id, name, id_type, id_number, mobile, email)
SELECT g, '负责人' || g, 'resident_id', lpad((330106199000000000 + g)::text, 18, '0'),
       '138' || lpad(g::text, 8, '0'), 'p' || g || '@bench.example.cn'
FROM generate_series(1, :filings) AS g;

INSERT INTO subjects (id, kind, name, certificate_type, certificate_number, province,
                      certificate_address, mailing_address, icp_number, responsible_person_id)
SELECT g, 'enterprise', '基准测试科技有限公司' || g, 'uscc', '91330106BENCH' || lpad(g::text, 5, '0'),
       (ARRAY['11','31','32','33','44','51'])[1 + g % 6], '浙江省杭州市西湖区文三路' || g || '号',
       '浙江省杭州市西湖区文三路' || g || '号', '浙ICP备' || (2020000000 + g) || '号', g
FROM generate_series(1, :filings) AS g;

INSERT INTO filings (id, account_id, filing_type, state, version, subject_id, province,
                     registry_subject_number, verified_certificate_type, verified_certificate_number,
                     verified_domain, product_ips, password_verified_at, created_at, updated_at,
                     submitted_at, state_entered_at, due_at, approved_at, finished_at, sms_sends)
SELECT g, 1 + g % :applicants,
       CASE WHEN g % 3 = 0 THEN 'continued_access' ELSE 'new_access' END,
       s.state, 1, g, (ARRAY['11','31','32','33','44','51'])[1 + g % 6],
       '浙ICP备' || (2020000000 + g) || '号', 'uscc', '91330106BENCH' || lpad(g::text, 5, '0'),
       'bench' || g || '.cn', '["121.41.100.10"]', t.created, t.created, t.created,
       CASE WHEN s.state IN ('draft', 'withdrawn') THEN NULL ELSE t.created END,
       t.created + interval '1 hour',
       CASE WHEN s.state IN ('draft', 'approved', 'withdrawn') THEN NULL
            ELSE t.created + interval '2 days' END,
       CASE WHEN s.state = 'approved' THEN t.created + interval '3 days' END,
       CASE WHEN s.state IN ('approved', 'withdrawn') THEN t.created + interval '3 days' END, 0
FROM generate_series(1, :filings) AS g
CROSS JOIN LATERAL (SELECT (:states)[1 + g % cardinality(:states)] AS state) AS s
CROSS JOIN LATERAL (SELECT now() - (g || ' minutes')::interval AS created) AS t;

INSERT INTO websites (id, filing_id, position, name, icp_number, service_types, languages,
                      pre_approvals, responsible_person_id, authenticity_token_hash)
SELECT g, g, 0, '基准网站' || g, '浙ICP备' || (2020000000 + g) || '号-1', '["blog"]', '["zh_CN"]',
       '[]', g, ''
FROM generate_series(1, :filings) AS g;

INSERT INTO website_domains (id, website_id, domain)
SELECT g, g, 'bench' || g || '.cn' FROM generate_series(1, :filings) AS g;

INSERT INTO website_ips (id, website_id, address)
SELECT g, g, '121.41.100.10' FROM generate_series(1, :filings) AS g;

INSERT INTO audit_events (filing_id, actor_id, actor_role, action, from_state, to_state, note,
                          internal, data, created_at)
SELECT f.id, f.account_id, 'applicant', e.action, e.from_state, e.to_state, '', false, '{}',
       f.created_at + (e.n || ' minutes')::interval
FROM filings AS f
CROSS JOIN (VALUES (1, 'draft_created', NULL, NULL), (2, 'password_verified', NULL, NULL),
                   (3, 'submit', 'draft', 'submitted')) AS e(n, action, from_state, to_state);

SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users));
SELECT setval(pg_get_serial_sequence('persons', 'id'), (SELECT max(id) FROM persons));
SELECT setval(pg_get_serial_sequence('subjects', 'id'), (SELECT max(id) FROM subjects));
SELECT setval(pg_get_serial_sequence('filings', 'id'), (SELECT max(id) FROM filings));
SELECT setval(pg_get_serial_sequence('websites', 'id'), (SELECT max(id) FROM websites));
SELECT setval(pg_get_serial_sequence('website_domains', 'id'), (SELECT max(id) FROM website_domains));
SELECT setval(pg_get_serial_sequence('website_ips', 'id'), (SELECT max(id) FROM website_ips));
SET session_replication_role = DEFAULT;
ANALYZE;
