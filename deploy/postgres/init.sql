-- Run once by the postgres image on an empty data directory (docker-entrypoint-initdb.d):
-- the two databases the stack needs, so that nothing is created by hand and Rasa never
-- starts without its tracker database.
CREATE DATABASE gateway;
CREATE DATABASE rasa;
