-- A table covering MySQL/MariaDB column types, a view on a view, and an event, added to
-- the Sakila sample for dbbackup's round-trip tests.

CREATE TABLE every_type (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  tiny TINYINT, small SMALLINT UNSIGNED, medium MEDIUMINT, big BIGINT, ubig BIGINT UNSIGNED,
  exact DECIMAL(65,30), single FLOAT, double_value DOUBLE, flags BIT(10), yes BOOLEAN,
  day DATE, moment DATETIME(6), stamp TIMESTAMP(3) NULL DEFAULT NULL, clock TIME(6), year_value YEAR,
  label VARCHAR(50), padded CHAR(5), body LONGTEXT, latin VARCHAR(20) CHARACTER SET latin1,
  bytes VARBINARY(300), blob_value LONGBLOB, fixed BINARY(4),
  choice ENUM('a','b','c d'), choices SET('x','y','z'), document JSON, spot POINT, shape GEOMETRY,
  doubled INT AS (tiny * 2) VIRTUAL, label_length INT AS (CHAR_LENGTH(label)) STORED,
  PRIMARY KEY (id),
  KEY k_label (label),
  UNIQUE KEY u_padded (padded),
  CONSTRAINT positive_small CHECK (small IS NULL OR small < 65000)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='every type';

INSERT INTO every_type (tiny, small, medium, big, ubig, exact, single, double_value, flags, yes,
    day, moment, stamp, clock, year_value, label, padded, body, latin, bytes, blob_value, fixed,
    choice, choices, document, spot, shape)
VALUES
  (-128, 64999, -8388608, -9223372036854775808, 18446744073709551615,
   12345678901234567890123456789012345.123456789012345678901234567890, 3.40282e38,
   2.2250738585072014e-308, b'1010101010', TRUE, '1000-01-01', '9999-12-31 23:59:59.999999',
   '2038-01-19 03:14:07.999', '-838:59:59.000000', 2155, 'tab\tand\nnewline ✓ 漢字 😀', 'ab',
   'back\\slash and \'quote\' and \0 nul', 'café', X'000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff', X'000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff', X'00ff0a0d',
   'c d', 'x,z', '{"a": [1, 2.50, "x"], "nested": {"deep": null}}', ST_GeomFromText('POINT(1.5 -2)'),
   ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))')),
  (127, 0, 8388607, 9223372036854775807, 0, -0.000000000000000000000000000001, -1.5e-7,
   -1.7976931348623157e308, b'0', FALSE, '2024-02-29', '1970-01-01 00:00:00', '1970-01-01 00:00:01',
   '00:00:00', 1901, '', 'abcde', REPEAT('huge text ✓ ', 100000), '', X'', X'', X'00000000',
   'a', '', '[]', ST_GeomFromText('POINT(0 0)'), NULL),
  (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

-- Sorted before the view it reads: a restore must create views in dependency order.
CREATE VIEW a_first_films AS SELECT FID, title FROM film_list WHERE FID < 10;

CREATE EVENT purge_every_type ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 03:00:00' DISABLE
  DO DELETE FROM every_type WHERE id > 1000000;
