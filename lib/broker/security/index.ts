import { CreateAcls, DeleteAcls, DescribeAcls } from "../protocol/apis/acls";
import { SaslAuthenticate, SaslHandshake } from "../protocol/apis/sasl";
import { AlterUserScramCredentials, DescribeUserScramCredentials } from "../protocol/apis/scram-credentials";
import type { BrokerOptions } from "../config";
import type { BrokerPlugin, BrokerServer } from "../server";
import { AclAuthorizer, AclStore, WILDCARD_PRINCIPAL } from "./acl";
import { createAclHandlers, createScramHandlers } from "./admin-handlers";
import { CredentialStore } from "./credentials";
import { createSaslHandlers } from "./sasl";

/**
 * The broker's security module, installed as a plugin: SASL PLAIN / SCRAM-SHA-256/512, the ACL
 * authorizer, the ACL APIs and the SCRAM credential APIs. State (salted credentials, ACLs) lives
 * in `<dataDir>/security/`.
 *
 * ACLs are enforced when the broker requires SASL; without SASL everyone is User:ANONYMOUS and
 * the broker stays allow-all, but ACLs and credentials can still be managed (and take effect
 * once SASL is turned on).
 */

export const ADMIN_USERNAME = "admin";
export const ADMIN_PRINCIPAL = `User:${ADMIN_USERNAME}`;

export interface SecurityOptions {
  /** When set, SCRAM-SHA-256/512 credentials for "admin" are (re)written from it at start. */
  adminPassword?: string;
  /** Default: the broker's requireSasl. */
  enforceAcls?: boolean;
  /** Kafka's allow.everyone.if.no.acl.found (default false). */
  allowEveryoneIfNoAclFound?: boolean;
}

export interface SecurityState {
  credentials: CredentialStore;
  acls: AclStore;
}

/** The stores of a running broker's plugin, for tests and tools in the same process. */
const states = new WeakMap<BrokerServer, SecurityState>();
export function securityStateOf(server: BrokerServer): SecurityState | undefined {
  return states.get(server);
}

export function securityPlugin(options: SecurityOptions = {}): BrokerPlugin {
  return async (server) => {
    const log = server.config.log;
    const credentials = CredentialStore.inDataDir(server.dataDir);
    const acls = AclStore.inDataDir(server.dataDir);
    states.set(server, { credentials, acls });

    if (options.adminPassword) {
      await credentials.setPassword(ADMIN_USERNAME, options.adminPassword);
      log.info(`SCRAM credentials for "${ADMIN_USERNAME}" written from BROKER_ADMIN_PASSWORD`);
    }

    if (options.enforceAcls ?? server.config.requireSasl) {
      server.setAuthorizer(
        new AclAuthorizer(acls, {
          superUsers: server.config.superUsers,
          allowEveryoneIfNoAclFound: options.allowEveryoneIfNoAclFound,
        }),
      );
    }

    // Cut-offs: a user without credentials, or a principal that lost ACLs, loses its open
    // connections now, so a parked Fetch or an idle consumer cannot keep reading.
    credentials.onUserRemoved((user) => {
      const n = server.closeConnections(`User:${user}`);
      if (n > 0) log.info(`closed ${n} connection(s) of deleted user ${user}`);
    });
    acls.onAclsRemoved((removed) => {
      const principals = new Set(removed.map((b) => b.principal));
      if (principals.has(WILDCARD_PRINCIPAL)) {
        for (const c of server.listConnections()) {
          if (c.authenticated && !server.config.superUsers.includes(c.principal)) principals.add(c.principal);
        }
      }
      principals.delete(WILDCARD_PRINCIPAL);
      for (const p of principals) {
        if (server.config.superUsers.includes(p)) continue;
        const n = server.closeConnections(p);
        if (n > 0) log.info(`closed ${n} connection(s) of ${p} after ACL removal`);
      }
    });

    const sasl = createSaslHandlers(credentials, (ctx, user, mechanism) =>
      log.debug(`connection ${ctx.id} authenticated as ${user} (${mechanism})`),
    );
    server.registerHandler(SaslHandshake, (ctx, body, header) => sasl.handshake(ctx, body, header.apiVersion));
    server.registerHandler(SaslAuthenticate, (ctx, body) => sasl.authenticate(ctx, body));

    const acl = createAclHandlers(acls);
    server.registerHandler(CreateAcls, acl.createAcls);
    server.registerHandler(DescribeAcls, acl.describeAcls);
    server.registerHandler(DeleteAcls, acl.deleteAcls);

    const scram = createScramHandlers(credentials);
    server.registerHandler(DescribeUserScramCredentials, scram.describe);
    server.registerHandler(AlterUserScramCredentials, scram.alter);
  };
}

/**
 * Broker options for a secured broker: SASL required, User:admin a super user, the security
 * plugin with the admin password. Without a password: the plugin only (no SASL, allow-all).
 * Usage: `startBroker({ dataDir, port, ...securityBrokerOptions(env().BROKER_ADMIN_PASSWORD) })`.
 */
export function securityBrokerOptions(
  adminPassword: string | undefined,
  extra: Omit<SecurityOptions, "adminPassword"> & { superUsers?: string[] } = {},
): Pick<BrokerOptions, "requireSasl" | "superUsers" | "plugins"> {
  const { superUsers = [], ...rest } = extra;
  if (!adminPassword) {
    return { requireSasl: false, superUsers, plugins: [securityPlugin(rest)] };
  }
  return {
    requireSasl: true,
    superUsers: [...new Set([ADMIN_PRINCIPAL, ...superUsers])],
    plugins: [securityPlugin({ ...rest, adminPassword })],
  };
}
