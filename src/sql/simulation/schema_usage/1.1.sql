-- Ordinary roles may use the extension; what a simulation writes is still limited by the
-- privileges of the role that starts it.
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;
