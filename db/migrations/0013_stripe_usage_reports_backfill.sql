-- Hours reported before stripe_usage_reports existed were recorded only as job dedupe keys
-- (stripe.usage:<subscription>:<hour>). Carry them over as the hour's first report (seq 0, the
-- same meter event identifier), so pruning those jobs can never make an hour be sent again.
-- The units are the ledger row as it is now: growth after that report is not knowable any more.
INSERT INTO stripe_usage_reports (subscription_id, hour, seq, units, value, billing_month, identifier, event_timestamp, sent_at)
SELECT l.subscription_id, l.hour, 0,
  CASE WHEN p.price_model = 'per_gb' THEN l.bytes ELSE l.messages END,
  CASE WHEN p.price_model = 'per_gb' THEN l.bytes ELSE l.messages END,
  (date_trunc('month', l.hour AT TIME ZONE 'UTC'))::date,
  l.subscription_id::text || ':' || to_char(l.hour AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  extract(epoch FROM l.hour)::bigint + 3599,
  j.finished_at
FROM jobs j
JOIN usage_ledger l ON l.subscription_id = (j.payload->>'subscriptionId')::uuid AND l.hour = (j.payload->>'hour')::timestamptz
JOIN subscriptions s ON s.id = l.subscription_id
JOIN plans p ON p.id = s.plan_id
WHERE j.kind = 'stripe.usage.report'
ON CONFLICT DO NOTHING;
