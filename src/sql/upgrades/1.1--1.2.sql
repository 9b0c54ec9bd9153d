-- thelook_datagen 1.1 -> 1.2
\echo Use "ALTER EXTENSION thelook_datagen UPDATE TO '1.2'" to load this file. \quit
-- Assembled by src/sql/assemble.sh with the objects' 1.2 definitions: each object changed in 1.2
-- has a 1.2.sql beside its 1.1.sql and is included here (after a DROP when its signature or
-- return type changed); t_upgrade.sh compares the result with a fresh 1.2 install.
-- Recipe: src/sql/README.md.
--#include cdc_faults/injected_faults_table
