import { sql, type Kysely } from 'kysely';

// Issue 4 (case intake and the deadline sweep at city scale).
//
// 1. The GridIndex asks "have the grids changed?" before every case. Counting the ~20,000 grids took
//    9–18 ms; now a version in platform_meta ('grid_version') is read in one indexed lookup. It is
//    bumped by triggers on places, so every writer counts (the API, the import, the city loader, a
//    hand-made UPDATE) on every server instance. The row triggers are deferred to commit and bump
//    once per transaction: the version's row lock is taken last and held only for the commit, so
//    concurrent grid writers cannot deadlock on it, and a bulk write bumps it once.
// 2. audit_append(key, entries) appends entries to the audit hash chain in one statement: it takes the
//    chain's advisory lock, reads the chain's last entry (a VOLATILE function reads with a fresh
//    snapshot, taken after the lock was granted), stamps the time, hashes and inserts. The server
//    prepares each entry's canonical JSON (platform/audit.ts) split around the two values known only
//    under the lock — the time and the sequence number — so the database hashes exactly the text the
//    verification (verifyAuditChain, unchanged) recomputes, and stores the values parsed from it.
//    Before, the lock was held across three round trips to the server, whose event loop is busy with
//    other requests: under load most writers queued on it.
// 3. cases keeps 10 % of each page free, so an update that leaves the indexed columns alone (the
//    sweeper's cards and escalations of dispatched cases) can stay on its page without new entries
//    in the table's twelve indexes (a HOT update). Applies to pages written from now on.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`
INSERT INTO platform_meta (key, value) VALUES ('grid_version', '1') ON CONFLICT (key) DO NOTHING;

ALTER TABLE cases SET (fillfactor = 90);

CREATE FUNCTION grid_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('tongxin.grid_version_bumped', true) IS DISTINCT FROM 'on' THEN
    PERFORM set_config('tongxin.grid_version_bumped', 'on', true);
    INSERT INTO platform_meta (key, value, updated_at) VALUES ('grid_version', '1', now())
    ON CONFLICT (key) DO UPDATE SET value = (platform_meta.value::bigint + 1)::text, updated_at = now();
  END IF;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER places_grid_version_insert AFTER INSERT ON places
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.kind = 'grid') EXECUTE FUNCTION grid_version_bump();
CREATE CONSTRAINT TRIGGER places_grid_version_update AFTER UPDATE ON places
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.kind = 'grid' OR NEW.kind = 'grid') EXECUTE FUNCTION grid_version_bump();
CREATE CONSTRAINT TRIGGER places_grid_version_delete AFTER DELETE ON places
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.kind = 'grid') EXECUTE FUNCTION grid_version_bump();
CREATE TRIGGER places_grid_version_truncate AFTER TRUNCATE ON places
  FOR EACH STATEMENT EXECUTE FUNCTION grid_version_bump();

-- The chain's next entries: each entry is its canonical JSON in three pieces, around the values of
-- "at" and "seq", hashed one after the other from the head.
CREATE FUNCTION audit_chain_next(entries jsonb, head_seq bigint, head_hash text, at_text text)
  RETURNS TABLE (seq bigint, prev_hash text, hash text, content text) LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  pieces jsonb;
BEGIN
  seq := head_seq;
  hash := head_hash;
  FOR pieces IN SELECT x.value FROM jsonb_array_elements(entries) WITH ORDINALITY AS x(value, ord) ORDER BY x.ord LOOP
    seq := seq + 1;
    prev_hash := hash;
    content := (pieces->>0) || '"' || at_text || '"' || (pieces->>1) || '"' || seq::text || '"' || (pieces->>2);
    hash := encode(sha256(convert_to(prev_hash || E'\\n' || content, 'UTF8')), 'hex');
    RETURN NEXT;
  END LOOP;
END $$;

CREATE FUNCTION audit_append(lock_key bigint, entries jsonb) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  head_seq  bigint;
  head_hash text;
  at_value  timestamptz;
BEGIN
  PERFORM pg_advisory_xact_lock(lock_key);
  SELECT a.seq, a.hash INTO head_seq, head_hash FROM audit_log a ORDER BY a.seq DESC LIMIT 1;
  -- after the lock, so times follow the chain; milliseconds, as the server's ISO text has them
  at_value := date_trunc('milliseconds', clock_timestamp());
  -- the stored values are read back from the very text that was hashed (parsed once per entry)
  INSERT INTO audit_log (seq, at, actor_id, actor_name, action, target_type, target_id, target_label, result, reason, ip, changes, prev_hash, hash)
  SELECT c.seq, at_value, v."actorId", v."actorName", v.action, v."targetType", v."targetId", v."targetLabel", v.result, v.reason, v.ip, v.changes,
         c.prev_hash, c.hash
  FROM audit_chain_next(entries, coalesce(head_seq, 0), coalesce(head_hash, repeat('0', 64)),
                        to_char(at_value AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) AS c,
       jsonb_to_record(c.content::jsonb) AS v("actorId" uuid, "actorName" text, action text, "targetType" text, "targetId" text,
                                             "targetLabel" text, result text, reason text, ip text, changes jsonb)
  ORDER BY c.seq;
  RETURN coalesce(head_seq, 0) + jsonb_array_length(entries);
END $$;
`).execute(db);
}
