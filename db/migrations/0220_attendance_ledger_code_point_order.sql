-- A row's task ids are in code-point order (COLLATE "C") whatever the database's collation: the collector
-- sends rows it sorted itself. Rows written in the database's order are put in that order once.
UPDATE attendance_ledger l SET post_ids = s.ids
FROM (SELECT client_id, platform, day, nrp, ARRAY(SELECT x FROM unnest(post_ids) x ORDER BY x COLLATE "C") AS ids
      FROM attendance_ledger) s
WHERE l.client_id = s.client_id AND l.platform = s.platform AND l.day = s.day AND l.nrp = s.nrp
  AND l.post_ids <> s.ids;
