-- Administrators may add and revoke agents over gRPC (`encap agents add`);
-- granted on the service's host with `encap-control admins add LOGIN`.
ALTER TABLE users ADD COLUMN admin BOOLEAN NOT NULL DEFAULT FALSE;
