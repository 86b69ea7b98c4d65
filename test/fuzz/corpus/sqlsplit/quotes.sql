SELECT E'it\'s; here';
SELECT 'a''b;c';
SELECT "odd;name" FROM t;
