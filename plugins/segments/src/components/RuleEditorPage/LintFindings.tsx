import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import type { LintFix, LintIssue } from '@internal/plugin-segments-common';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { segmentRouteRef } from '../../routes';
import { NoMatchBreakdown } from './NoMatchBreakdown';

const TITLES: Record<LintIssue['kind'], string> = {
  contradiction: 'Conflicting conditions',
  alwaysTrue: 'Condition always true',
  redundant: 'Redundant condition',
  noMatch: 'No customer matches',
  duplicate: 'Same customers as another segment',
  incomplete: 'Checks incomplete',
};

/** Whether a fix edits the rule itself (not a parent segment's conditions). */
function isLocalFix(fix: LintFix | undefined): fix is LintFix {
  return Boolean(fix && !fix.path.startsWith('parentLevels'));
}

/**
 * The checks of a preview: conflicting, always-true or redundant conditions,
 * duplicates of stored segments, and why nothing matches, with one-click
 * fixes where the server verified one.
 */
export function LintFindings(props: {
  issues: LintIssue[];
  onApplyFix?: (fix: LintFix) => void;
}) {
  const { issues, onApplyFix } = props;
  const segmentLink = useRouteRef(segmentRouteRef);
  if (!issues.length) return null;
  return (
    <Stack spacing={1} sx={{ mt: 2 }} data-testid="lint-findings">
      {issues.map((issue, i) => {
        const fixes = [issue.suggestion, ...(issue.alternatives ?? [])].filter(
          s => s && isLocalFix(s.fix),
        );
        return (
          <Alert
            key={`${issue.kind}-${i}`}
            severity={issue.severity}
            variant="outlined"
          >
            <Typography variant="subtitle2" component="div">
              {TITLES[issue.kind] ?? issue.kind}
            </Typography>
            <Typography variant="body2">{issue.message}</Typography>
            {issue.kind === 'noMatch' && <NoMatchBreakdown issue={issue} />}
            {issue.kind === 'duplicate' && issue.ruleId && (
              <Link to={segmentLink({ id: issue.ruleId })}>
                Open that segment
              </Link>
            )}
            {fixes.map(s => (
              <Stack
                key={s!.message}
                direction="row"
                spacing={1}
                alignItems="center"
                sx={{ mt: 0.5 }}
              >
                <Typography variant="body2" color="text.secondary">
                  {s!.message}
                </Typography>
                {onApplyFix && (
                  <Button size="small" onClick={() => onApplyFix(s!.fix!)}>
                    Apply
                  </Button>
                )}
              </Stack>
            ))}
          </Alert>
        );
      })}
    </Stack>
  );
}
