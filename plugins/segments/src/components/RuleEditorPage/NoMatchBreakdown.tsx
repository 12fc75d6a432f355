import type { LintIssue } from '@internal/plugin-segments-common';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import { formatNumber } from '../shared/format';

/** The server's count per condition behind a "no customer matches" warning. */
interface Breakdown {
  parentCount?: number;
  conditions: Array<{ path: string; alone: number; without?: number }>;
}

/**
 * For a `noMatch` finding of the preview: how many customers each condition
 * lets through on its own, and how many would match without it.
 */
export function NoMatchBreakdown(props: { issue: LintIssue }) {
  const breakdown = (props.issue as LintIssue & { breakdown?: Breakdown })
    .breakdown;
  if (!breakdown?.conditions?.length) return null;
  return (
    <Table size="small" aria-label="Matches per condition" sx={{ mt: 1 }}>
      <TableHead>
        <TableRow>
          <TableCell>Condition</TableCell>
          <TableCell align="right">On its own</TableCell>
          <TableCell align="right">Without it</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {breakdown.conditions.map(c => (
          <TableRow key={c.path}>
            <TableCell>{c.path}</TableCell>
            <TableCell align="right">{formatNumber(c.alone)}</TableCell>
            <TableCell align="right">
              {c.without === undefined ? '—' : formatNumber(c.without)}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
