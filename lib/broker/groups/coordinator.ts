import { randomUUID } from "node:crypto";
import type { BrokerLogger } from "../config";
import { ErrorCode } from "../protocol/errors";
import { OffsetStore, type CommittedOffset } from "./offset-store";

/**
 * The classic consumer-group coordinator (apache/kafka ClassicGroupState; notes §4).
 *
 * Serialization: every transition of a group — a request or a timer firing — is a synchronous
 * method on its `Group`, so it runs to completion before any other event for that group is
 * looked at (an actor whose mailbox is the event loop). Requests that must wait (JoinGroup
 * during a rebalance, a follower's SyncGroup) leave a resolver in the member and return a
 * promise; the transition that completes the round resolves them all at once. No transition
 * ever awaits, so no interleaving inside one is possible.
 */

export type GroupState = "Empty" | "PreparingRebalance" | "CompletingRebalance" | "Stable" | "Dead";

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolName: string;
  leader: string;
  memberId: string;
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface JoinRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: { name: string; metadata: Buffer }[];
}

interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: { name: string; metadata: Buffer }[];
  assignment: Buffer;
  joinWaiter: ((r: JoinResult) => void) | null;
  syncWaiter: ((r: { errorCode: number; assignment: Buffer }) => void) | null;
  sessionTimer: NodeJS.Timeout | null;
}

const MIN_SESSION_MS = 6_000;
const MAX_SESSION_MS = 30 * 60_000;
const EMPTY = Buffer.alloc(0);

/** v0 has no rebalance timeout (the session timeout is used); bounded like the session timeout. */
function rebalanceTimeout(req: JoinRequest): number {
  return Math.min(req.rebalanceTimeoutMs > 0 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs, MAX_SESSION_MS);
}

class Group {
  state: GroupState = "Empty";
  generationId = 0;
  protocolType = "";
  protocolName = "";
  leaderId = "";
  readonly members = new Map<string, Member>();
  /** KIP-394: ids handed out with MEMBER_ID_REQUIRED that have not rejoined yet, with their expiry. */
  readonly pending = new Map<string, NodeJS.Timeout>();
  private rebalanceTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly groupId: string,
    private readonly log: BrokerLogger,
  ) {}

  join(req: JoinRequest, apiVersion: number, clientId: string, clientHost: string): Promise<JoinResult> | JoinResult {
    const fail = (errorCode: number, memberId = req.memberId): JoinResult => ({
      errorCode,
      generationId: -1,
      protocolName: "",
      leader: "",
      memberId,
      members: [],
    });
    if (req.sessionTimeoutMs < MIN_SESSION_MS || req.sessionTimeoutMs > MAX_SESSION_MS) return fail(ErrorCode.INVALID_SESSION_TIMEOUT);
    if (req.protocols.length === 0 || !req.protocolType) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    if (this.members.size > 0 && (req.protocolType !== this.protocolType || !this.supportsAny(req.protocols))) {
      return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    let memberId = req.memberId;
    if (memberId === "") {
      memberId = `${clientId || "member"}-${randomUUID()}`;
      if (apiVersion >= 4 && req.groupInstanceId === null) {
        this.pending.set(
          memberId,
          setTimeout(() => this.expirePending(memberId), req.sessionTimeoutMs),
        );
        return fail(ErrorCode.MEMBER_ID_REQUIRED, memberId);
      }
    } else if (!this.members.has(memberId) && !this.pending.has(memberId)) {
      return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    }
    const pendingTimer = this.pending.get(memberId);
    if (pendingTimer) {
      clearTimeout(pendingTimer);
      this.pending.delete(memberId);
    }

    let m = this.members.get(memberId);
    if (!m) {
      m = {
        memberId,
        groupInstanceId: req.groupInstanceId,
        clientId,
        clientHost,
        sessionTimeoutMs: req.sessionTimeoutMs,
        rebalanceTimeoutMs: rebalanceTimeout(req),
        protocols: req.protocols,
        assignment: EMPTY,
        joinWaiter: null,
        syncWaiter: null,
        sessionTimer: null,
      };
      this.members.set(memberId, m);
      if (this.members.size === 1) this.protocolType = req.protocolType;
    } else {
      m.protocols = req.protocols;
      m.sessionTimeoutMs = req.sessionTimeoutMs;
      m.rebalanceTimeoutMs = rebalanceTimeout(req);
      // A duplicate join from the same member supersedes the parked one.
      m.joinWaiter?.(fail(ErrorCode.REBALANCE_IN_PROGRESS, memberId));
    }
    this.stopSession(m);
    const result = new Promise<JoinResult>((resolve) => {
      m.joinWaiter = resolve;
    });
    if (this.state !== "PreparingRebalance") this.prepareRebalance(`member ${memberId} joined`);
    this.tryCompleteJoin();
    return result;
  }

  sync(generationId: number, memberId: string, assignments: { memberId: string; assignment: Buffer }[]) {
    const m = this.members.get(memberId);
    if (!m) return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY };
    if (generationId !== this.generationId) return { errorCode: ErrorCode.ILLEGAL_GENERATION, assignment: EMPTY };
    if (this.state === "PreparingRebalance") return { errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY };
    if (this.state === "Stable") return { errorCode: 0, assignment: m.assignment };
    if (this.state !== "CompletingRebalance") return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY };
    this.touchSession(m);
    const result = new Promise<{ errorCode: number; assignment: Buffer }>((resolve) => {
      m.syncWaiter = resolve;
    });
    if (memberId === this.leaderId) {
      const given = new Map(assignments.map((a) => [a.memberId, a.assignment]));
      for (const member of this.members.values()) member.assignment = given.get(member.memberId) ?? EMPTY;
      this.state = "Stable";
      this.log.debug(`group ${this.groupId} stable at generation ${this.generationId} with ${this.members.size} members`);
      for (const member of this.members.values()) {
        const w = member.syncWaiter;
        member.syncWaiter = null;
        w?.({ errorCode: 0, assignment: member.assignment });
      }
    }
    return result;
  }

  heartbeat(generationId: number, memberId: string): number {
    const m = this.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.touchSession(m);
    if (this.state === "PreparingRebalance") return ErrorCode.REBALANCE_IN_PROGRESS;
    return 0;
  }

  leave(memberId: string): number {
    const pendingTimer = this.pending.get(memberId);
    if (pendingTimer) {
      clearTimeout(pendingTimer);
      this.pending.delete(memberId);
      this.tryCompleteJoin();
      return 0;
    }
    if (!this.members.has(memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeMember(memberId, "left the group");
    return 0;
  }

  /** Whether a commit from (generation, member) may be stored now; 0 if so. */
  checkCommit(generationId: number, memberId: string): number {
    if (generationId < 0 && memberId === "") {
      // Admin/standalone commits (kafkajs setOffsets) are only safe when nobody consumes.
      return this.members.size === 0 ? 0 : ErrorCode.UNKNOWN_MEMBER_ID;
    }
    const m = this.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    // Members may still commit while a rebalance is being prepared (before they rejoin), as in
    // Kafka; once joins are answered the old assignment is void.
    if (this.state === "CompletingRebalance") return ErrorCode.REBALANCE_IN_PROGRESS;
    this.touchSession(m);
    return 0;
  }

  describe() {
    return {
      groupState: this.state,
      protocolType: this.protocolType,
      protocolData: this.state === "Stable" || this.state === "CompletingRebalance" ? this.protocolName : "",
      members: [...this.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: m.protocols.find((p) => p.name === this.protocolName)?.metadata ?? EMPTY,
        memberAssignment: this.state === "Stable" ? m.assignment : EMPTY,
      })),
    };
  }

  shutdown(): void {
    if (this.rebalanceTimer) clearTimeout(this.rebalanceTimer);
    for (const t of this.pending.values()) clearTimeout(t);
    for (const m of this.members.values()) this.stopSession(m);
  }

  private supportsAny(protocols: { name: string }[]): boolean {
    return protocols.some((p) => [...this.members.values()].every((m) => m.protocols.some((q) => q.name === p.name)));
  }

  private prepareRebalance(reason: string): void {
    this.log.debug(`group ${this.groupId} rebalancing: ${reason}`);
    if (this.state === "CompletingRebalance") {
      for (const m of this.members.values()) {
        const w = m.syncWaiter;
        m.syncWaiter = null;
        w?.({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
      }
    }
    this.state = "PreparingRebalance";
    if (this.rebalanceTimer) clearTimeout(this.rebalanceTimer);
    const timeout = Math.max(0, ...[...this.members.values()].map((m) => m.rebalanceTimeoutMs));
    this.rebalanceTimer = setTimeout(() => this.onRebalanceTimeout(), timeout);
  }

  private onRebalanceTimeout(): void {
    this.rebalanceTimer = null;
    if (this.state !== "PreparingRebalance") return;
    for (const m of [...this.members.values()]) {
      if (!m.joinWaiter) {
        this.log.debug(`group ${this.groupId}: member ${m.memberId} did not rejoin in time`);
        this.members.delete(m.memberId);
        this.stopSession(m);
      }
    }
    for (const [id, t] of this.pending) {
      clearTimeout(t);
      this.pending.delete(id);
    }
    this.completeJoin();
  }

  private tryCompleteJoin(): void {
    if (this.state !== "PreparingRebalance") return;
    if (this.pending.size > 0) return;
    for (const m of this.members.values()) if (!m.joinWaiter) return;
    this.completeJoin();
  }

  private completeJoin(): void {
    if (this.rebalanceTimer) {
      clearTimeout(this.rebalanceTimer);
      this.rebalanceTimer = null;
    }
    this.generationId++;
    if (this.members.size === 0) {
      this.state = "Empty";
      this.protocolName = "";
      this.leaderId = "";
      return;
    }
    this.protocolName = this.selectProtocol();
    if (!this.members.has(this.leaderId)) this.leaderId = this.members.keys().next().value!;
    this.state = "CompletingRebalance";
    const all = [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.protocols.find((p) => p.name === this.protocolName)?.metadata ?? EMPTY,
    }));
    for (const m of this.members.values()) {
      const w = m.joinWaiter;
      m.joinWaiter = null;
      this.touchSession(m);
      w?.({
        errorCode: 0,
        generationId: this.generationId,
        protocolName: this.protocolName,
        leader: this.leaderId,
        memberId: m.memberId,
        members: m.memberId === this.leaderId ? all : [],
      });
    }
  }

  /** Each member votes for its most preferred protocol that every member supports. */
  private selectProtocol(): string {
    const members = [...this.members.values()];
    const common = members[0].protocols.map((p) => p.name).filter((n) => members.every((m) => m.protocols.some((p) => p.name === n)));
    const votes = new Map<string, number>();
    for (const m of members) {
      const choice = m.protocols.find((p) => common.includes(p.name));
      if (choice) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1);
    }
    let best = common[0] ?? members[0].protocols[0].name;
    for (const n of common) if ((votes.get(n) ?? 0) > (votes.get(best) ?? 0)) best = n;
    return best;
  }

  private removeMember(memberId: string, reason: string): void {
    const m = this.members.get(memberId);
    if (!m) return;
    this.members.delete(memberId);
    this.stopSession(m);
    m.joinWaiter?.({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, generationId: -1, protocolName: "", leader: "", memberId, members: [] });
    m.syncWaiter?.({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    m.joinWaiter = null;
    m.syncWaiter = null;
    if (this.state === "PreparingRebalance") {
      this.tryCompleteJoin();
    } else if (this.state === "Stable" || this.state === "CompletingRebalance") {
      this.prepareRebalance(`member ${memberId} ${reason}`);
      this.tryCompleteJoin();
    }
  }

  private expirePending(memberId: string): void {
    if (!this.pending.delete(memberId)) return;
    this.tryCompleteJoin();
  }

  private touchSession(m: Member): void {
    this.stopSession(m);
    m.sessionTimer = setTimeout(() => {
      m.sessionTimer = null;
      if (this.members.get(m.memberId) === m && !m.joinWaiter) this.removeMember(m.memberId, "session timed out");
    }, m.sessionTimeoutMs);
  }

  private stopSession(m: Member): void {
    if (m.sessionTimer) clearTimeout(m.sessionTimer);
    m.sessionTimer = null;
  }
}

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  readonly offsets: OffsetStore;

  constructor(
    dir: string,
    private readonly log: BrokerLogger,
  ) {
    this.offsets = new OffsetStore(dir);
  }

  private group(id: string): Group {
    let g = this.groups.get(id);
    if (!g) {
      g = new Group(id, this.log);
      this.groups.set(id, g);
    }
    return g;
  }

  join(req: JoinRequest, apiVersion: number, clientId: string, clientHost: string): Promise<JoinResult> | JoinResult {
    if (!req.groupId) {
      return { errorCode: ErrorCode.INVALID_GROUP_ID, generationId: -1, protocolName: "", leader: "", memberId: req.memberId, members: [] };
    }
    return this.group(req.groupId).join(req, apiVersion, clientId, clientHost);
  }

  sync(groupId: string, generationId: number, memberId: string, assignments: { memberId: string; assignment: Buffer }[]) {
    const g = this.groups.get(groupId);
    if (!g) return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY };
    return g.sync(generationId, memberId, assignments);
  }

  heartbeat(groupId: string, generationId: number, memberId: string): number {
    const g = this.groups.get(groupId);
    return g ? g.heartbeat(generationId, memberId) : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  leave(groupId: string, memberId: string): number {
    const g = this.groups.get(groupId);
    return g ? g.leave(memberId) : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /** Validates membership, then stores. Returns the error for the whole request (0 = stored). */
  commit(groupId: string, generationId: number, memberId: string, entries: { topic: string; partition: number; value: CommittedOffset }[]): number {
    const g = this.groups.get(groupId);
    const err = g ? g.checkCommit(generationId, memberId) : generationId < 0 ? 0 : ErrorCode.UNKNOWN_MEMBER_ID;
    if (err !== 0) return err;
    if (entries.length > 0) this.offsets.commit(groupId, g?.protocolType || "consumer", entries);
    return 0;
  }

  committed(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(groupId, topic, partition);
  }

  describe(groupId: string): ReturnType<Group["describe"]> {
    const g = this.groups.get(groupId);
    if (g) return g.describe();
    if (this.offsets.has(groupId)) return { groupState: "Empty", protocolType: this.offsets.protocolTypes.get(groupId) ?? "", protocolData: "", members: [] };
    return { groupState: "Dead", protocolType: "", protocolData: "", members: [] };
  }

  list(): { groupId: string; protocolType: string }[] {
    const ids = new Set([...this.groups.keys(), ...this.offsets.groups()]);
    return [...ids].sort().map((groupId) => ({
      groupId,
      protocolType: this.groups.get(groupId)?.protocolType || this.offsets.protocolTypes.get(groupId) || "",
    }));
  }

  delete(groupId: string): number {
    const g = this.groups.get(groupId);
    if (!g && !this.offsets.has(groupId)) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (g && (g.members.size > 0 || g.pending.size > 0)) return ErrorCode.NON_EMPTY_GROUP;
    g?.shutdown();
    this.groups.delete(groupId);
    this.offsets.deleteGroup(groupId);
    return 0;
  }

  /**
   * Kafka's offsets.retention (KIP-211): a group with no members whose newest commit is older
   * than `retentionMs` loses its offsets. (Kafka counts from when the group became empty; the
   * newest commit is the closest thing kept here, and is never later than that moment.)
   */
  expireOffsets(now: number, retentionMs: number): string[] {
    const expired: string[] = [];
    for (const group of this.offsets.groups()) {
      const g = this.groups.get(group);
      if (g && (g.members.size > 0 || g.pending.size > 0)) continue;
      if (this.offsets.newestCommit(group) >= now - retentionMs) continue;
      g?.shutdown();
      this.groups.delete(group);
      this.offsets.deleteGroup(group);
      expired.push(group);
    }
    return expired;
  }

  forgetTopic(topic: string): void {
    this.offsets.deleteTopic(topic);
  }

  close(): void {
    for (const g of this.groups.values()) g.shutdown();
  }
}
