import { useThisRealmForSqliteErrors } from './__testUtils__/sqliteErrors';

// SQLite errors must be Errors of the test file that receives them, in every
// test file of the package (see __testUtils__/sqliteErrors.ts).
useThisRealmForSqliteErrors();
