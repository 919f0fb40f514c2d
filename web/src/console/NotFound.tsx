import { Button } from '@mantine/core';
import { EmptyState } from '../components/States.tsx';
import { Link } from '../lib/router.tsx';

export function NotFound() {
  return (
    <EmptyState
      title="There is no page at this address"
      action={
        <Button component={Link} href="/console/organizations" variant="default">
          Go to organizations
        </Button>
      }
    >
      The link may be mistyped or out of date.
    </EmptyState>
  );
}
