import { ResponseErrorPanel } from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';

const FORCE_HINT = /\s*Send force: true to save it anyway\.?\s*$/;

/**
 * Why a save failed. Checks the user may override (a rule that can never
 * match, or one equivalent to a stored segment) offer "Save anyway".
 */
export function SaveErrorPanel(props: {
  error: Error;
  onForce(): void;
  saving?: boolean;
}) {
  const { error, onForce, saving } = props;
  const message: string =
    error instanceof ResponseError
      ? error.body?.error?.message ?? error.message
      : error.message;
  const status = error instanceof ResponseError ? error.response.status : 0;
  if (!FORCE_HINT.test(message) || (status !== 400 && status !== 409)) {
    return (
      <Box sx={{ mb: 3 }}>
        <ResponseErrorPanel error={error} title="The segment was not saved" />
      </Box>
    );
  }
  return (
    <Alert
      severity="warning"
      sx={{ mb: 3 }}
      data-testid="save-check-failed"
      action={
        <Button
          color="inherit"
          size="small"
          onClick={onForce}
          disabled={saving}
        >
          Save anyway
        </Button>
      }
    >
      <AlertTitle>
        {status === 409
          ? 'An equivalent segment already exists'
          : 'This rule can never match'}
      </AlertTitle>
      {message.replace(FORCE_HINT, '')}
    </Alert>
  );
}
