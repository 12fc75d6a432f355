import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// The CI machines are small and busy: give rendering of the material tables
// and the async states time, without changing what the tests assert.
configure({ asyncUtilTimeout: 10_000 });
jest.setTimeout(60_000);
