-- The webhook inbox's one implementation (src/billing/sync/inbox.ts): records a batch of events,
-- each one exactly as a lone delivery would be, in the caller's one statement (one transaction).
-- The arrays are parallel, one element per event; payloads is a JSON array of the events' bodies.
-- Returns one row per event: its index in the arrays (1-based), the stripe_events id it got
-- (null: a duplicate, nothing written) and the status it was stored with.
--
-- Per event, in order of customer then event id, so concurrent batches take their locks in the
-- same order and do not deadlock on one another:
--   covered: a pending, coverable event created well (5 s, clock skew) before its customer's last
--     sync read Stripe (workspaces.billing_synced_at) is stored as processed and requests nothing;
--   the customer's billing.sync job row is locked first (FOR UPDATE waits for a concurrent
--     request, then sees its generation), so the event stores the generation the upsert gives it;
--   the event is inserted; a duplicate id (committed, in flight elsewhere, or earlier in this
--     batch) inserts nothing and requests nothing;
--   a pending event upserts its job as src/jobs/queue.ts requestJob does: generation + 1, the
--     earliest due time, unless the job backs off from a Stripe error (attempts > 0);
--   two first-ever events of a customer racing in two transactions: neither saw a row to lock,
--     so the second upsert's generation is one past what its event stored: corrected here.
-- Any error aborts the whole statement: nothing of the batch is stored.
CREATE FUNCTION tollgate_inbox_record(
  p_event_ids text[],
  p_types text[],
  p_created timestamptz[],
  p_customers text[],
  p_payloads jsonb,
  p_statuses text[],
  p_errors text[],
  p_debounce_secs float8[],
  p_coverable bool[]
) RETURNS TABLE (ord int, event_row int, stored_status text)
LANGUAGE plpgsql AS $$
DECLARE
  i int;
  v_status text;
  v_generation int;
  v_row int;
  v_event_generation int;
  v_job_generation int;
  v_order int[];
BEGIN
  -- A lone event (an idle inbox's delivery) skips the sort: a query less on the common path.
  IF cardinality(p_event_ids) = 1 THEN
    v_order := '{1}';
  ELSE
    v_order := ARRAY(SELECT g FROM generate_subscripts(p_event_ids, 1) AS g
                      ORDER BY p_customers[g] NULLS FIRST, p_event_ids[g]);
  END IF;
  FOREACH i IN ARRAY v_order
  LOOP
    v_status := p_statuses[i];
    IF v_status = 'pending' AND p_coverable[i] AND EXISTS (
         SELECT 1 FROM workspaces
          WHERE stripe_customer_id = p_customers[i]
            AND billing_synced_at > p_created[i] + interval '5 seconds') THEN
      v_status := 'processed';
    END IF;
    v_generation := NULL;
    IF v_status = 'pending' THEN
      SELECT generation INTO v_generation FROM jobs
       WHERE kind = 'billing.sync' AND key = p_customers[i]
         FOR UPDATE;
    END IF;
    v_row := NULL;
    INSERT INTO stripe_events
      (event_id, type, created_at, customer_id, payload, status, processed_at, last_error, sync_generation)
    VALUES (p_event_ids[i], p_types[i], p_created[i], p_customers[i], p_payloads -> (i - 1), v_status,
            CASE WHEN v_status <> 'pending' THEN now() END, p_errors[i],
            CASE WHEN v_status = 'pending' THEN coalesce(v_generation, 0) + 1 END)
    ON CONFLICT (event_id) DO NOTHING
    RETURNING id, sync_generation INTO v_row, v_event_generation;
    IF v_row IS NOT NULL AND v_status = 'pending' THEN
      INSERT INTO jobs AS j (kind, key, generation, due_at)
      VALUES ('billing.sync', p_customers[i], 1, now() + make_interval(secs => p_debounce_secs[i]))
      ON CONFLICT (kind, key) DO UPDATE
         SET generation = j.generation + 1,
             due_at = CASE WHEN j.attempts > 0 THEN j.due_at
                           ELSE least(j.due_at, excluded.due_at) END
      RETURNING generation INTO v_job_generation;
      IF v_job_generation > v_event_generation THEN
        UPDATE stripe_events SET sync_generation = v_job_generation WHERE id = v_row;
      END IF;
    END IF;
    ord := i;
    event_row := v_row;
    stored_status := CASE WHEN v_row IS NULL THEN NULL ELSE v_status END;
    RETURN NEXT;
  END LOOP;
END
$$;
