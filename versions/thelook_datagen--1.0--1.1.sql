-- thelook_datagen 1.0 -> 1.1
\echo Use "ALTER EXTENSION thelook_datagen UPDATE TO '1.1'" to load this file. \quit
