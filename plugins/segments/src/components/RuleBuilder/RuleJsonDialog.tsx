import { useEffect, useMemo, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import { RuleJsonDialogProps } from './types';
import { parseRuleJson } from './parseRuleJson';

/** `data-testid`s of {@link RuleJsonDialog}. @public */
export const ruleJsonDialogTestIds = {
  dialog: 'segments-rule-json-dialog',
  input: 'segments-rule-json-input',
  copy: 'segments-rule-json-copy',
  import: 'segments-rule-json-import',
  errors: 'segments-rule-json-errors',
};

async function copyText(text: string): Promise<boolean> {
  try {
    await window.navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Shows the rule as JSON to read and copy, and imports a rule pasted as JSON.
 * The text is checked as you type (JSON syntax, then `validateConditions`);
 * Import stays disabled while it is invalid. Import calls `onImport` with
 * `{ logicalOperator, conditions }` and then `onClose`.
 *
 * @public
 */
export function RuleJsonDialog(props: RuleJsonDialogProps): JSX.Element {
  const { open, value, onClose, onImport } = props;
  const currentJson = useMemo(() => JSON.stringify(value, null, 2), [value]);
  const [text, setText] = useState(currentJson);
  const [copied, setCopied] = useState<'yes' | 'failed' | undefined>();

  useEffect(() => {
    if (open) {
      setText(currentJson);
      setCopied(undefined);
    }
    // Only when the dialog opens: edits in progress are not overwritten.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  const parsed = useMemo(() => parseRuleJson(text), [text]);
  const unchanged = text === currentJson;

  const onCopy = async () =>
    setCopied((await copyText(text)) ? 'yes' : 'failed');

  return (
    <Dialog
      open={open}
      onClose={onClose}
      fullWidth
      maxWidth="md"
      data-testid={ruleJsonDialogTestIds.dialog}
    >
      <DialogTitle>Rule JSON</DialogTitle>
      <DialogContent>
        <Typography variant="body2" color="textSecondary" sx={{ mb: 1 }}>
          Copy the rule as JSON, or paste a rule (
          {'{ "logicalOperator": "AND", "conditions": [...] }'}) and import it.
        </Typography>
        <TextField
          multiline
          fullWidth
          minRows={12}
          maxRows={24}
          value={text}
          onChange={e => setText(e.target.value)}
          error={!parsed.ok && !unchanged}
          inputProps={{
            'aria-label': 'Rule JSON',
            'data-testid': ruleJsonDialogTestIds.input,
            spellCheck: false,
            style: { fontFamily: 'monospace', fontSize: 13 },
          }}
        />
        <Box sx={{ mt: 1.5 }} aria-live="polite">
          {!parsed.ok && !unchanged && (
            <Alert severity="error" data-testid={ruleJsonDialogTestIds.errors}>
              {parsed.syntaxError ? (
                <>Invalid JSON: {parsed.syntaxError}</>
              ) : (
                <>
                  This is not a valid rule:
                  <Box component="ul" sx={{ m: 0, pl: 2.5 }}>
                    {parsed.errors.map((e, i) => (
                      <li key={i}>
                        <code>{e.path}</code>: {e.message}
                      </li>
                    ))}
                  </Box>
                </>
              )}
            </Alert>
          )}
          {parsed.ok && parsed.ignoredKeys.length > 0 && (
            <Alert severity="info">
              Only logicalOperator and conditions are imported; ignoring{' '}
              {parsed.ignoredKeys.join(', ')}.
            </Alert>
          )}
          {copied === 'yes' && (
            <Alert severity="success">Copied to the clipboard.</Alert>
          )}
          {copied === 'failed' && (
            <Alert severity="warning">
              Could not copy; select the text and copy it by hand.
            </Alert>
          )}
        </Box>
      </DialogContent>
      <DialogActions>
        <Button
          startIcon={<ContentCopyIcon />}
          onClick={onCopy}
          data-testid={ruleJsonDialogTestIds.copy}
        >
          Copy
        </Button>
        <Box sx={{ flex: 1 }} />
        <Button onClick={onClose}>Close</Button>
        <Button
          variant="contained"
          color="primary"
          disabled={!parsed.ok || unchanged}
          data-testid={ruleJsonDialogTestIds.import}
          onClick={() => {
            if (!parsed.ok) return;
            onImport(parsed.value);
            onClose();
          }}
        >
          Import
        </Button>
      </DialogActions>
    </Dialog>
  );
}
