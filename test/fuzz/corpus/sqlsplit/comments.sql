/* outer /* nested; */ still; */ SELECT 1; -- trailing; comment
-- only a comment;
