-- thelook_datagen install script, assembled from src/sql/*.sql by the Makefile.
\echo Use "CREATE EXTENSION thelook_datagen" to load this file. \quit
