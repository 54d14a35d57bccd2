"""SQLite readings of the sales latent variables (run on the written org database).

Ids sort with ``COLLATE BINARY`` (columns are NOCASE) so rows come out in Python's order.
"""

CYCLE_SQL = """
SELECT o.OwnerId, CAST(SUM(julianday(c.{field}) - julianday(date(o.CreatedDate))) AS INTEGER) AS days,
       COUNT(*) AS deals
FROM Opportunity o JOIN Contract c ON c.Id = o.ContractID__c
WHERE c.{field} BETWEEN ? AND ?
GROUP BY o.OwnerId
ORDER BY days * 1.0 / deals, o.OwnerId COLLATE BINARY
"""
QUIET_SQL = "SELECT COUNT(*) FROM Contract WHERE {field} BETWEEN ? AND ?"
TERRITORY_SQL = """
SELECT t.Id, COUNT(*) AS deals,
       CAST(SUM(julianday(o.CloseDate) - julianday(date(o.CreatedDate))) AS INTEGER) AS days
FROM Opportunity o
JOIN Account a ON a.Id = o.AccountId
JOIN Territory2 t ON instr(',' || t.Description || ',', ',' || a.ShippingState || ',') > 0
WHERE o.IsWon = 1 AND o.CloseDate BETWEEN ? AND ?
GROUP BY t.Id
ORDER BY days * 1.0 / deals, t.Id COLLATE BINARY
"""
AMOUNT_SQL = """
SELECT o.OwnerId, SUM(CAST(round(i.Quantity * i.UnitPrice * 100) AS INTEGER)) AS cents
FROM "Order" o JOIN OrderItem i ON i.OrderId = o.Id
WHERE o.EffectiveDate BETWEEN ? AND ?
GROUP BY o.OwnerId
ORDER BY cents DESC, o.OwnerId COLLATE BINARY
"""
CONVERSION_SQL = """
SELECT OwnerId, COUNT(*) AS leads,
       SUM(CASE WHEN IsConverted = 1 AND ConvertedDate BETWEEN ? AND ? THEN 1 ELSE 0 END) AS converted
FROM Lead
WHERE date(CreatedDate) BETWEEN ? AND ?
GROUP BY OwnerId
HAVING COUNT(*) >= 3
ORDER BY converted * 1.0 / leads, OwnerId COLLATE BINARY
"""
ROUTING_SQL = """
WITH reps AS (
    SELECT DISTINCT a.UserId AS rep
    FROM UserTerritory2Association a JOIN Territory2 t ON t.Id = a.Territory2Id
    WHERE instr(',' || t.Description || ',', ',' || ? || ',') > 0),
accepted AS (
    SELECT o.OwnerId AS rep, COUNT(*) AS n
    FROM Quote q JOIN Opportunity o ON o.Id = q.OpportunityId
    WHERE q.Status = 'Accepted' GROUP BY o.OwnerId),
unconverted AS (SELECT OwnerId AS rep, COUNT(*) AS n FROM Lead WHERE IsConverted = 0 GROUP BY OwnerId)
SELECT reps.rep, COALESCE(accepted.n, 0) AS quotes, COALESCE(unconverted.n, 0) AS open_leads
FROM reps LEFT JOIN accepted ON accepted.rep = reps.rep LEFT JOIN unconverted ON unconverted.rep = reps.rep
ORDER BY quotes DESC, open_leads, reps.rep COLLATE BINARY
"""
BANT_SQL = """
WITH planted AS (SELECT value AS lead FROM json_each(?)),
markers AS (SELECT key AS factor, value AS marker FROM json_each(?)),
latest AS (
    SELECT v.LeadId__c AS lead, v.{body} AS body
    FROM VoiceCallTranscript__c v JOIN planted p ON p.lead = v.LeadId__c
    WHERE v.EndTime__c = (SELECT MAX(w.EndTime__c) FROM VoiceCallTranscript__c w WHERE w.LeadId__c = v.LeadId__c))
SELECT p.lead, m.factor
FROM planted p LEFT JOIN latest l ON l.lead = p.lead
LEFT JOIN markers m ON l.body LIKE '%' || m.marker || '%'
ORDER BY p.lead COLLATE BINARY, m.factor
"""
STAGE_SQL = """
WITH subjects AS (SELECT key AS subject, value AS stage FROM json_each(?)),
planted AS (SELECT value AS opp FROM json_each(?)),
counts AS (
    SELECT t.WhatId AS opp, s.stage AS stage, COUNT(*) AS n
    FROM Task t JOIN subjects s ON s.subject = t.Subject JOIN planted p ON p.opp = t.WhatId
    GROUP BY t.WhatId, s.stage)
SELECT o.Id, o.StageName, c.stage, c.n
FROM Opportunity o JOIN counts c ON c.opp = o.Id
ORDER BY o.Id COLLATE BINARY, c.n DESC, c.stage
"""
ACTIVITY_SQL = """
WITH subjects AS (SELECT key AS subject, value AS stage FROM json_each(?)),
planted AS (SELECT value AS opp FROM json_each(?))
SELECT t.WhatId, t.Id
FROM Task t
JOIN planted p ON p.opp = t.WhatId
JOIN subjects s ON s.subject = t.Subject
JOIN Opportunity o ON o.Id = t.WhatId
WHERE t.Status = 'Not Started' AND s.stage <> o.StageName
ORDER BY t.WhatId COLLATE BINARY, t.Id COLLATE BINARY
"""
POLICY_SQL = """
WITH rules AS (SELECT value AS r FROM json_each(?)),
lines AS (
    SELECT q.QuoteId AS quote, q.Quantity AS qty, q.Discount AS disc, q.UnitPrice AS price,
           e.UnitPrice AS list, c.Name AS cat
    FROM QuoteLineItem q
    JOIN PricebookEntry e ON e.Id = q.PricebookEntryId
    JOIN ProductCategoryProduct pc ON pc.ProductId = q.Product2Id
    JOIN ProductCategory c ON c.Id = pc.ProductCategoryId),
found AS (
    SELECT l.quote, json_extract(r, '$.article') AS article FROM lines l JOIN rules
    WHERE json_extract(r, '$.kind') = 'cap' AND l.disc > json_extract(r, '$.limit')
      AND l.cat IN (SELECT value FROM json_each(json_extract(r, '$.categories')))
    UNION
    SELECT l.quote, json_extract(r, '$.article') FROM lines l JOIN rules
    WHERE json_extract(r, '$.kind') = 'min_qty' AND l.cat = json_extract(r, '$.category')
      AND l.qty < json_extract(r, '$.limit')
    UNION
    SELECT l.quote, json_extract(r, '$.article') FROM lines l JOIN rules
    WHERE json_extract(r, '$.kind') = 'max_qty' AND l.cat = json_extract(r, '$.category')
      AND l.qty > json_extract(r, '$.limit')
    UNION
    SELECT l.quote, json_extract(r, '$.article') FROM lines l JOIN rules
    WHERE json_extract(r, '$.kind') = 'requires' AND l.cat = json_extract(r, '$.category')
      AND NOT EXISTS (SELECT 1 FROM lines m WHERE m.quote = l.quote
                      AND m.cat IN (SELECT value FROM json_each(json_extract(r, '$.categories'))))
    UNION
    SELECT l.quote, json_extract(r, '$.article') FROM lines l JOIN rules
    WHERE json_extract(r, '$.kind') = 'not_alone'
    GROUP BY l.quote, r HAVING MIN(l.cat = json_extract(r, '$.category')) = 1
    UNION
    SELECT l.quote, json_extract(r, '$.article') FROM lines l JOIN rules
    WHERE json_extract(r, '$.kind') = 'list_price' AND abs(l.price - l.list) > 0.005)
SELECT quote, article FROM found ORDER BY quote COLLATE BINARY, article COLLATE BINARY
"""
SENTIMENT_SQL = """
WITH planted AS (SELECT value AS opp FROM json_each(?)),
markers AS (SELECT key AS topic, json_extract(value, '$[0]') AS neg, json_extract(value, '$[1]') AS pos
            FROM json_each(?)),
calls AS (
    SELECT p.opp, v.{body} AS body FROM planted p JOIN VoiceCallTranscript__c v ON v.OpportunityId__c = p.opp)
SELECT c.opp, 'negative', m.topic FROM calls c JOIN markers m ON c.body LIKE '%' || m.neg || '%'
UNION
SELECT c.opp, 'positive', m.topic FROM calls c JOIN markers m ON c.body LIKE '%' || m.pos || '%'
ORDER BY 1 COLLATE BINARY, 2, 3
"""
