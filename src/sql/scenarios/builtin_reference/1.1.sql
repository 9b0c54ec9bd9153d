INSERT INTO @extschema@.scenarios (name, definition, description, builtin) VALUES
    ('reference', '{}',
     'The reference generator: traffic at a constant rate, no incidents (the default).', true),
    ('retail', '{"traffic": {"profile": "retail"}}',
     'An online shop''s day and week: quiet at night, a lunch peak and a larger evening peak, busier Fridays and weekends (UTC).', true),
    ('business_hours', '{"traffic": {"profile": "business_hours"}}',
     'A shop open Mon-Fri 08:00-20:00 and Sat 10:00-18:00, closed on Sunday, with a lunch peak (UTC).', true),
    ('retail_incidents', '{"base": "retail", "random_incidents": [
        {"kind": "spike", "per_day": 0.3, "magnitude": [2, 4], "duration": ["10 minutes", "1 hour"]},
        {"kind": "slump", "per_day": 0.2, "magnitude": [0.2, 0.6], "duration": ["30 minutes", "3 hours"]},
        {"kind": "outage", "per_day": 0.1, "duration": ["5 minutes", "30 minutes"]},
        {"kind": "checkout_failure", "per_day": 0.1, "duration": ["10 minutes", "1 hour"]}]}',
     'retail with random incidents: flash sales, storms, outages and checkout failures, recorded in the schema''s incidents table.', true),
    ('shoppers', '{"base": "retail", "shoppers": {"model": "sessions", "popularity": {"zipf_exponent": 1.0},
        "members": {"share": 0.2, "discount": 0.1}}}',
     'retail with shoppers who browse by the default transition matrix (about 3 % of visits buy), popular products (Zipf, exponent 1) and a 10 % member discount for one user in five.', true);
