import {
  describeCondition,
  LintFix,
  LintIssue,
  LintRuleInput,
  LintSuggestion,
  parseConditionPath,
  SegmentCondition,
} from '@internal/plugin-segments-common';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';

const TITLES: Record<LintIssue['kind'], string> = {
  contradiction: 'Conflicting conditions',
  alwaysTrue: 'Condition always true',
  redundant: 'Redundant condition',
  noMatch: 'No customer matches',
  duplicate: 'Same customers as another segment',
  incomplete: 'Checks incomplete',
};

/** The condition at a lint path of the rule or of its parent levels. */
function conditionAt(
  rule: LintRuleInput,
  parentLevels: LintRuleInput[],
  path: string,
): SegmentCondition | undefined {
  let root = rule;
  let own = path;
  const parent = /^parentLevels\[(\d+)\]\.(.*)$/.exec(path);
  if (parent) {
    root = parentLevels[Number(parent[1])];
    own = parent[2];
  }
  const idx = root ? parseConditionPath(own) : undefined;
  if (!idx?.length) return undefined;
  let list: SegmentCondition[] | undefined = root.conditions;
  let node: SegmentCondition | undefined;
  for (const i of idx) {
    node = list?.[i];
    list = (node as { subConditions?: SegmentCondition[] } | undefined)
      ?.subConditions;
  }
  return node;
}

function isOwnFix(s: LintSuggestion | undefined): s is LintSuggestion & {
  fix: LintFix;
} {
  return Boolean(s?.fix && !s.fix.path.startsWith('parentLevels'));
}

/**
 * The browser's checks of the rule being edited: conflicting, always-true
 * and redundant conditions, each with the conditions involved and the
 * suggested fixes, applied with one click. Shown before any server answer.
 */
export function RuleChecks(props: {
  issues: LintIssue[];
  rule: LintRuleInput;
  parentLevels?: LintRuleInput[];
  onApplyFix?: (fix: LintFix) => void;
}) {
  const { issues, rule, parentLevels = [], onApplyFix } = props;
  if (!issues.length) return null;
  return (
    <Stack spacing={1} sx={{ mt: 2 }} data-testid="rule-checks">
      {issues.map((issue, i) => {
        const suggestions = [
          issue.suggestion,
          ...(issue.alternatives ?? []),
        ].filter((s): s is LintSuggestion => Boolean(s));
        return (
          <Alert
            key={`${issue.kind}-${issue.paths.join(',')}-${i}`}
            severity={issue.severity}
            data-testid={`rule-check-${issue.kind}`}
          >
            <AlertTitle>{TITLES[issue.kind] ?? issue.kind}</AlertTitle>
            <Typography variant="body2">{issue.message}</Typography>
            {issue.paths.length > 0 && (
              <Stack
                direction="row"
                spacing={0.5}
                sx={{ mt: 0.5, flexWrap: 'wrap', gap: 0.5 }}
                aria-label="Conditions involved"
              >
                {issue.paths.map(path => {
                  const c = conditionAt(rule, parentLevels, path);
                  const inParent = path.startsWith('parentLevels');
                  return (
                    <Chip
                      key={path}
                      size="small"
                      variant="outlined"
                      label={`${c ? describeCondition(c) : path}${
                        inParent ? ' (parent segment)' : ''
                      }`}
                    />
                  );
                })}
              </Stack>
            )}
            {suggestions.map(s => (
              <Stack
                key={s.message}
                direction="row"
                spacing={1}
                alignItems="center"
                sx={{ mt: 0.5 }}
              >
                <Typography variant="body2" color="text.secondary">
                  Suggestion: {s.message}
                </Typography>
                {onApplyFix && isOwnFix(s) && (
                  <Button size="small" onClick={() => onApplyFix(s.fix)}>
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
