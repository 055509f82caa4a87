// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

/// @title Commons Ledger: the signed, append-only record of economic flows
/// @notice Every contribution, supply-chain step, need or settlement of a commons is a ValueFlows
/// (REA) economic flow, signed with EIP-712 by its agent and relayed by anyone. Entries are never
/// edited or deleted; a mistake is fixed by a new entry that corrects the old one.
///
/// Storage holds only what on-chain logic must read. The record itself lives in the `Recorded`
/// event (the read API); anyone can recompute the hash chain from the events alone and compare
/// it with `tip()`.
///
/// Hash chain: `head_n = bytes24(keccak256(abi.encode(bytes32(head_{n-1}), n, signer_n, recordHash_n)))`
/// with `head_0 = 0`, where `recordHash` is the EIP-712 struct hash of the record. The head is kept
/// as 192 bits so that it shares one storage slot with the entry count. Every `CHECKPOINT_INTERVAL`
/// entries the head is also stored as a checkpoint, so that the content of any entry can later be
/// proven on-chain (for validations and corrections) with a bounded proof.
///
/// Who counts (the trust model). Recording and reading are open: anyone signs a claim, anyone
/// relays, anyone recomputes. Counting is not: a key costs nothing, so no rule here counts keys.
/// - Stewards of a commons govern it as a multisig does (Safe's pattern): every change to its
///   stewards, their threshold, its validators' roles and its quorum rules is a proposal that takes
///   effect once `threshold` stewards approved it. The steward set never falls below the threshold,
///   and a change of the steward set or threshold voids every pending proposal (its approvals were
///   given by another set). A commons registers with its founder alone and threshold 1: it is run
///   by one key until its stewards raise the threshold, and every tool says so.
/// - Validators are appointed: the stewards' threshold grants an account a role per action (a bit
///   per `Action`). Only a validation by an account holding the role for the entry's action when it
///   validates counts toward the quorum (`Validated`, the tallies and `entryState`); anyone else's
///   signed opinion is kept as an endorsement (`Endorsed`) and changes no state, total, settlement
///   or distribution. Eligibility "earned" by accepted contributions is a commons' policy that its
///   stewards apply by appointing (the CLI lists who meets a published rule); it is not automatic.
/// - What a sybil (any number of fresh keys) can still do: record claims (they stay claimed), endorse
///   (counts nothing), and spend its own gas. To get an entry accepted it needs `acceptsRequired`
///   keys appointed for that action, that is the approval of `threshold` stewards; to capture the
///   commons it needs `threshold` steward keys.
/// - What colluding insiders can do: appointed validators can accept each other's inflated claims,
///   and `threshold` stewards can appoint anyone. Both are on record (events) and a higher quorum
///   or threshold raises the number of people who must collude.
/// - What a provider alone can claim about someone else: a record names a receiver the provider
///   chose. The receiver answers once (`Verdict.Confirm` or `Verdict.Refuse`, or co-signs with
///   `recordConfirmed`); a quorum rule with `counterpartyConfirms` accepts an entry of that action
///   only once its receiver confirmed it, so a hand-over nobody acknowledged never counts.
interface ILedger {
    // ------------------------------------------------------------------ types

    /// @notice What kind of flow a record is (ValueFlows: EconomicEvent, Intent, Commitment).
    enum Flow {
        Event, // something that happened
        Need, // an intent by a receiver: something wanted (stigmergic signal)
        Offer, // an intent by a provider: something offered
        Commitment // a promise to do something
    }

    /// @notice ValueFlows actions. Codes are stable; append only.
    enum Action {
        Work, // 0
        Cite, // 1
        Use, // 2
        Consume, // 3
        Produce, // 4
        Transfer, // 5
        TransferCustody, // 6
        TransferAllRights, // 7
        DeliverService, // 8
        Accept, // 9
        Modify, // 10
        Combine, // 11
        Separate, // 12
        Pickup, // 13
        Dropoff, // 14
        Move, // 15
        Raise, // 16
        Lower, // 17
        Copy // 18
    }

    /// @notice Where a record stands relative to its `process`.
    enum Side {
        None,
        Input,
        Output
    }

    /// @notice A signed opinion on an entry. Accept and Dispute are a peer's verdict (a vote when
    /// the peer is appointed). Confirm and Refuse are the answer of the entry's counterparty, the
    /// other agent its record names (the receiver when the provider signed): they count as no vote,
    /// need no role, and say whether that agent agrees to be named (see `CounterpartyAnswered`).
    enum Verdict {
        Accept,
        Dispute,
        Confirm,
        Refuse
    }

    /// @notice Derived state of an entry.
    enum EntryState {
        Claimed, // recorded, quorum not met
        Accepted, // the commons' quorum rule for its action is met
        Disputed, // disputes reached the rule's threshold
        Corrected // a later entry by the same agent corrects it
    }

    /// @notice The signed record: a ValueFlows economic flow. All fields are static, so the ABI
    /// encoding of the struct is exactly its EIP-712 `encodeData`.
    /// @dev The agent (signer) is `provider`, or `receiver` when `provider` is zero (a need).
    struct Record {
        Flow flow;
        Action action;
        address provider;
        address receiver;
        bytes32 commons; // project / network / value network id
        bytes32 resource; // a trackable resource (0 if none)
        bytes32 resourceSpec; // a kind of resource (0 if none)
        bytes32 process; // the process this flows into or out of (0 if none)
        Side side; // Input or Output when `process` is set, None otherwise
        uint128 quantity; // fixed point, QUANTITY_DECIMALS decimals
        bytes8 unit; // compact unit code, ASCII, e.g. "h", "kg", "EUR", "ea"
        uint64 time; // when it happened (events) or is due (needs, offers, commitments)
        bytes32 evidence; // content digest of notes, photos, commits (0 if none)
        uint64 corrects; // id of the entry this one corrects (0 if none)
        uint64 satisfies; // id of a need or commitment this one satisfies (0 if none)
        uint256 nonce; // keyed nonce: key (high 192 bits) and sequence (low 64 bits)
        uint64 deadline; // last second at which the signature may be recorded
    }

    /// @notice A signed peer validation of an entry.
    struct Validation {
        uint64 entryId;
        Verdict verdict;
        address validator;
        bytes32 evidence; // digest of the validator's notes (0 if none)
        uint256 nonce;
        uint64 deadline;
    }

    /// @notice Proof of an entry's content against the hash chain.
    /// @dev `record` is the entry's record. `previousHead` is the head before the entry (the
    /// 192-bit head, left-aligned). `laterSigners` and `laterRecordHashes` are the signers and
    /// record hashes of every later entry up to the end of the entry's checkpoint interval, or up
    /// to the last entry if that interval is still open. Not needed (pass empty arrays and any
    /// record) once the entry is anchored, that is after its first validation or correction.
    struct EntryProof {
        Record record;
        bytes32 previousHead;
        address[] laterSigners;
        bytes32[] laterRecordHashes;
    }

    /// @notice Proof of several entries of one checkpoint interval at once, for `validateBatch`.
    /// @dev The range runs from entry `firstId` to the end of its checkpoint interval (or to the
    /// last entry if that interval is still open), one position per entry: `signers[i]` and
    /// `recordHashes[i]` are entry `firstId + i`'s signer and record hash, or zero when that entry's
    /// record is given in full in `records` (in id order). Every full record whose commons is
    /// registered is anchored; one proof serves every validation of those entries in the batch.
    struct RangeProof {
        bytes32 previousHead;
        uint64 firstId;
        Record[] records;
        address[] signers;
        bytes32[] recordHashes;
    }

    /// @notice Quorum rule for one commons and action.
    struct QuorumRule {
        uint16 acceptsRequired; // accepted when accepts >= this (and not disputed)
        uint16 disputesToBlock; // disputed when disputes >= this
        // and, when set, only once the entry's counterparty confirmed it: never if it names none,
        // disputed if it refused
        bool counterpartyConfirms;
    }

    /// @notice What a steward may propose for a commons.
    enum ChangeKind {
        AddSteward, // `account` becomes a steward
        RemoveSteward, // `account` stops being a steward
        SetThreshold, // `threshold` approvals are needed from now on
        SetRoles, // `account` may validate the actions whose bits `roles` sets (0: none)
        SetQuorumRule // `action` needs `acceptsRequired` accepts (and the counterparty's confirmation if `counterpartyConfirms`); `disputesToBlock` disputes block it
    }

    /// @notice One proposed change; the fields its kind does not use are zero.
    struct Change {
        ChangeKind kind;
        address account;
        uint32 roles;
        uint16 threshold;
        Action action;
        uint16 acceptsRequired;
        uint16 disputesToBlock;
        bool counterpartyConfirms;
    }

    /// @notice A proposal as stored.
    struct Proposal {
        bytes32 commons;
        Change change;
        address proposer;
        uint32 epoch; // the commons' steward epoch when proposed; approvals count only in it
        uint16 approvals;
        uint40 expiresAt; // approvals are refused from this time on
        bool executed;
    }

    // ------------------------------------------------------------------ events

    /// @notice A record was appended as entry `id`. The event holds the whole record (its commons
    /// is `record.commons`; it is not a topic, which saves 375 gas per record).
    event Recorded(uint256 indexed id, address indexed signer, Record record);

    /// @notice Item `index` of a batch was not recorded; `reason` is the ABI-encoded custom error.
    event RecordSkipped(uint256 indexed index, address indexed agent, bytes reason);

    /// @notice A peer accepted or disputed entry `entryId`; the tallies after it are given.
    event Validated(
        uint256 indexed entryId,
        address indexed validator,
        Verdict verdict,
        bytes32 evidence,
        uint16 accepts,
        uint16 disputes
    );

    /// @notice Item `index` of a validation batch was not recorded; `reason` is the ABI-encoded
    /// custom error (as `validate` would revert with it).
    event ValidationSkipped(uint256 indexed index, address indexed validator, bytes reason);

    /// @notice A signed opinion on entry `entryId` by an account not appointed to validate its action
    /// when it signed: kept on record, counted nowhere.
    event Endorsed(uint256 indexed entryId, address indexed endorser, Verdict verdict, bytes32 evidence);

    /// @notice The counterparty of entry `entryId` (the other agent its record names) confirmed it
    /// (`verdict` Confirm) or refused to be named in it (Refuse); once per entry, never changed.
    /// A co-signed record (`recordConfirmed`) emits it with `evidence` zero in the same transaction.
    event CounterpartyAnswered(
        uint256 indexed entryId,
        address indexed counterparty,
        Verdict verdict,
        bytes32 evidence
    );

    /// @notice Entry `entryId` was corrected by entry `correctionId`.
    event Corrected(uint256 indexed entryId, uint256 indexed correctionId);

    /// @notice The head was stored as checkpoint `index` (after entry `index * CHECKPOINT_INTERVAL`).
    event Checkpointed(uint256 indexed index, bytes24 head);

    /// @notice A commons was registered with `founder` as its first steward.
    event CommonsRegistered(bytes32 indexed commons, address indexed founder, bytes32 salt, string name);

    /// @notice `steward` became a steward of `commons`; `by` is the steward whose approval made the change.
    event StewardAdded(bytes32 indexed commons, address indexed steward, address indexed by);

    /// @notice `steward` stopped being a steward of `commons`; `by` is the steward whose approval made the change.
    event StewardRemoved(bytes32 indexed commons, address indexed steward, address indexed by);

    /// @notice The commons' stewards set its threshold: `threshold` approvals make a change.
    event StewardThresholdSet(bytes32 indexed commons, uint16 threshold, address indexed by);

    /// @notice The stewards set what `account` may validate in `commons` (bit a: Action a).
    event RolesSet(bytes32 indexed commons, address indexed account, uint32 roles, address indexed by);

    /// @notice Steward `proposer` proposed `change` for `commons` as proposal `proposal`.
    event ChangeProposed(
        uint256 indexed proposal,
        bytes32 indexed commons,
        address indexed proposer,
        Change change,
        uint32 epoch,
        uint40 expiresAt
    );

    /// @notice `steward` approved proposal `proposal`; `approvals` of `threshold` needed so far.
    event ChangeApproved(uint256 indexed proposal, address indexed steward, uint16 approvals, uint16 threshold);

    /// @notice Proposal `proposal` took effect (its effect event, e.g. StewardAdded, precedes this).
    event ChangeExecuted(uint256 indexed proposal, bytes32 indexed commons);

    /// @notice The stewards set the quorum rule for `action` in `commons`.
    event QuorumRuleSet(
        bytes32 indexed commons,
        Action indexed action,
        uint16 acceptsRequired,
        uint16 disputesToBlock,
        bool counterpartyConfirms,
        address indexed by
    );

    /// @notice `owner` consumed nonce `nonce` itself, cancelling any signature that carries it.
    event NonceInvalidated(address indexed owner, uint256 nonce);

    // ------------------------------------------------------------------ errors

    /// @notice A record field is not a valid ABI encoding of its type (dirty high or low bits).
    /// @param field The field's position in the struct (0 = flow ... 16 = deadline).
    error LedgerMalformedRecord(uint256 field, bytes32 word);
    /// @notice A validation field is not a valid ABI encoding of its type.
    /// @param field The field's position in the struct (0 = entryId ... 5 = deadline).
    error LedgerMalformedValidation(uint256 field, bytes32 word);
    /// @notice The flow code is out of range.
    error LedgerInvalidFlow(uint256 flow);
    /// @notice The action code is out of range.
    error LedgerInvalidAction(uint256 action);
    /// @notice The side is out of range or does not fit the action (Input/Output only with a
    /// process, and only on the sides the ValueFlows action allows).
    error LedgerInvalidSide(uint256 action, uint256 side, bytes32 process);
    /// @notice Neither provider nor receiver is set.
    error LedgerZeroAgent();
    /// @notice The record names no commons.
    error LedgerMissingCommons();
    /// @notice The quantity is zero (allowed only for a correction that voids an entry).
    error LedgerZeroQuantity();
    /// @notice A non-zero quantity has no unit.
    error LedgerMissingUnit(uint128 quantity);
    /// @notice The time is zero.
    error LedgerMissingTime();
    /// @notice An event claims to have happened after the block time (plus the allowed skew).
    error LedgerTimeInFuture(uint64 time, uint256 blockTime);
    /// @notice The signature is past its deadline.
    error LedgerExpired(uint64 deadline, uint256 blockTime);
    /// @notice The deadline is further in the future than MAX_VALIDITY allows.
    error LedgerDeadlineTooFar(uint64 deadline, uint256 latestAllowed);
    /// @notice A link (`corrects`, `satisfies`) does not point to an earlier entry.
    error LedgerLinkNotFound(uint64 link, uint256 nextId);
    /// @notice The nonce is not the signer's current nonce for its key.
    error LedgerInvalidNonce(address signer, uint256 nonce, uint256 expected);
    /// @notice The signature is not valid for `signer` (EOA or ERC-1271).
    error LedgerInvalidSignature(address signer);
    /// @notice `record` was called with a correction; use `recordCorrection`.
    error LedgerCorrectionNeedsProof(uint64 corrects);
    /// @notice `recordCorrection` was called with a record that corrects nothing.
    error LedgerNotACorrection();
    /// @notice Only the agent of an entry may correct it.
    error LedgerNotEntryAgent(uint256 entryId, address agent, address signer);
    /// @notice The entry was already corrected (correct the correction instead).
    error LedgerAlreadyCorrected(uint256 entryId, uint256 correctionId);
    /// @notice The batch is empty or its arrays differ in length.
    error LedgerBatchLengthMismatch(uint256 records, uint256 signatures);
    /// @notice The batch exceeds MAX_BATCH.
    error LedgerBatchTooLarge(uint256 size, uint256 max);
    /// @notice No entry has this id.
    error LedgerEntryNotFound(uint256 entryId);
    /// @notice The proof does not chain to the stored head.
    error LedgerInvalidProof(uint256 entryId, uint256 expectedLaterEntries);
    /// @notice The verdict code is out of range.
    error LedgerInvalidVerdict(uint256 verdict);
    /// @notice Too little gas is left to judge a contract signature fairly; send more gas.
    error LedgerInsufficientGas(uint256 left, uint256 needed);
    /// @notice The validator already validated this entry.
    error LedgerAlreadyValidated(uint256 entryId, address validator);
    /// @notice An agent cannot validate its own entry.
    error LedgerSelfValidation(uint256 entryId, address validator);
    /// @notice A corrected entry can no longer be validated.
    error LedgerEntryCorrected(uint256 entryId, uint256 correctionId);
    /// @notice The commons is already registered.
    error LedgerCommonsExists(bytes32 commons);
    /// @notice The commons is not registered.
    error LedgerCommonsUnknown(bytes32 commons);
    /// @notice The caller is not a steward of the commons.
    error LedgerNotSteward(bytes32 commons, address account);
    /// @notice The account is already a steward of the commons.
    error LedgerAlreadySteward(bytes32 commons, address account);
    /// @notice The change would leave fewer stewards than the threshold (lower the threshold first).
    error LedgerStewardsBelowThreshold(bytes32 commons, uint256 stewards, uint256 threshold);
    /// @notice A threshold must be at least 1 and at most the number of stewards.
    error LedgerInvalidThreshold(bytes32 commons, uint256 threshold, uint256 stewards);
    /// @notice Roles may only set the bits of existing actions.
    error LedgerInvalidRoles(uint32 roles, uint32 allowed);
    /// @notice No proposal has this id.
    error LedgerProposalNotFound(uint256 proposal);
    /// @notice The proposal already took effect.
    error LedgerProposalExecuted(uint256 proposal);
    /// @notice The steward set or threshold changed since the proposal was made: propose it again.
    error LedgerProposalStale(uint256 proposal, uint32 epoch, uint32 currentEpoch);
    /// @notice The proposal expired at `expiredAt` without enough approvals.
    error LedgerProposalExpired(uint256 proposal, uint256 expiredAt);
    /// @notice The steward already approved this proposal.
    error LedgerAlreadyApproved(uint256 proposal, address steward);
    /// @notice The account already has exactly these roles.
    error LedgerRolesUnchanged(bytes32 commons, address account, uint32 roles);
    /// @notice Zero address where an account is required.
    error LedgerZeroAddress();
    /// @notice A quorum rule needs at least one accept and one dispute to decide.
    error LedgerInvalidQuorumRule(uint16 acceptsRequired, uint16 disputesToBlock);
    /// @notice The commons name is empty or longer than MAX_NAME_BYTES.
    error LedgerInvalidName(uint256 length, uint256 max);
    /// @notice Too many validations for one entry (the tally would overflow).
    error LedgerTallyOverflow(uint256 entryId);
    /// @notice A validation in a batch names an entry that is neither anchored nor proven by one of
    /// the batch's range proofs (or whose commons is not registered, which no proof anchors).
    error LedgerEntryNotAnchored(uint256 entryId);
    /// @notice A counterparty's answer (or co-signature) names an entry whose record names no
    /// counterparty: a need (no provider) or a flow whose provider is its receiver.
    error LedgerNoCounterparty(uint256 entryId);
    /// @notice A counterparty's answer (or co-signature) is signed by `signer`, but the entry's
    /// record names `counterparty`.
    error LedgerNotCounterparty(uint256 entryId, address counterparty, address signer);
    /// @notice The entry's counterparty has answered already (an answer is final).
    error LedgerAlreadyAnswered(uint256 entryId, address counterparty);
    /// @notice A counterparty's answer needs the entry's record in this transaction's proof (the
    /// `EntryProof` of `validate`, or a record given in full in a `validateBatch` range proof),
    /// even when the entry is anchored: only the record says who its counterparty is.
    error LedgerRecordNotGiven(uint256 entryId);

    // ------------------------------------------------------------------ records

    /// @notice Appends one signed record as the next entry.
    /// @dev Reverts with the specific error of the first check that fails; nothing is recorded.
    /// A correction (`corrects != 0`) must go through `recordCorrection`.
    /// The record's commons need not be registered: an entry of an unregistered commons is
    /// recorded, can never be accepted (nobody holds a validator role in it) and is counted by no
    /// view (the accounts of the CLI and the app skip it); the CLI, the relayer and the app refuse
    /// it before signing or sending. Checking here would cost every record a storage read: measured
    /// +2,176 gas for a single record (47,932 -> 50,108, over its 50,000 budget) and +221 gas per
    /// record in a batch of 100 of one commons (16,906 -> 17,127), for no gain in what counts.
    /// @param record The record; its agent is `provider`, or `receiver` when `provider` is zero.
    /// @param signature The agent's EIP-712 signature (65 bytes for an EOA; anything an ERC-1271
    /// wallet accepts, checked with at most ERC1271_GAS gas).
    /// @return id The new entry id (dense: 1, 2, 3, ...).
    function record(Record calldata record, bytes calldata signature) external returns (uint256 id);

    /// @notice Appends many signed records in one transaction. Invalid items (bad signature, used
    /// nonce, expired, malformed, corrections) are skipped with a `RecordSkipped` event naming the
    /// index and the error, so that nobody can make the whole batch revert by front-running one item.
    /// @param records At most MAX_BATCH records.
    /// @param signatures One signature per record.
    /// @return recorded How many items were recorded.
    function recordBatch(Record[] calldata records, bytes[] calldata signatures) external returns (uint256 recorded);

    /// @notice Appends a record that corrects an earlier entry by the same agent. The earlier entry's
    /// state becomes Corrected; the new entry replaces it (quantity 0 voids it).
    /// @param record The correcting record (`corrects` set).
    /// @param signature The agent's signature.
    /// @param proof Proof of the corrected entry (see EntryProof).
    /// @return id The new entry id.
    function recordCorrection(
        Record calldata record,
        bytes calldata signature,
        EntryProof calldata proof
    ) external returns (uint256 id);

    /// @notice Appends a record its counterparty co-signed (the receiver when the provider signs,
    /// and the reverse): the entry is recorded as confirmed by both parties in one transaction
    /// (`Recorded`, then `CounterpartyAnswered` with verdict Confirm). The entry is anchored at
    /// once, so its validations need no proof. Reverts as `record` does, and
    /// LedgerNoCounterparty, LedgerInvalidSignature(counterparty) or LedgerCommonsUnknown.
    /// @dev Costs about 34,000 gas more than `record` (bench:gas: 82,252 against 48,263 for a
    /// typical record): the entry's anchor slot, where the answer lives (22,100, which the entry's
    /// first validation then no longer pays, nor its proof), the counterparty's signature check and
    /// the `CounterpartyAnswered` event.
    /// @param record The record.
    /// @param signature The agent's signature.
    /// @param counterpartySignature The counterparty's signature of the same EIP-712 record digest.
    /// @return id The new entry id.
    function recordConfirmed(
        Record calldata record,
        bytes calldata signature,
        bytes calldata counterpartySignature
    ) external returns (uint256 id);

    // ------------------------------------------------------------------ validations

    /// @notice Records a signed peer validation (accept or dispute) of an entry; once per
    /// validator and entry; the entry's agent cannot validate it. It counts (emits `Validated` with
    /// the new tallies) only if the validator holds the role for the entry's action in the entry's
    /// commons now; otherwise it is kept as an endorsement (`Endorsed`) and no tally changes.
    /// A Confirm or Refuse verdict is the counterparty's answer instead: signed by the other agent
    /// the record names, once per entry, emitting `CounterpartyAnswered` (LedgerNotCounterparty,
    /// LedgerNoCounterparty, LedgerAlreadyAnswered otherwise).
    /// @param validation The validation.
    /// @param signature The validator's EIP-712 signature.
    /// @param proof Proof of the entry (see EntryProof); ignored once the entry is anchored,
    /// except for a counterparty's answer, which always needs the record proven.
    function validate(Validation calldata validation, bytes calldata signature, EntryProof calldata proof) external;

    /// @notice Records many signed validations in one transaction. The range proofs are checked
    /// first (a wrong one reverts the whole batch with LedgerInvalidProof: the sender built it) and
    /// anchor the entries they give in full; then each validation is checked as `validate` checks
    /// it, and an invalid item (expired, used nonce, already validated, bad signature, an entry
    /// neither anchored nor proven) is skipped with a `ValidationSkipped` event naming the index
    /// and the error, so that nobody can make the batch revert by front-running one item.
    /// @dev Gas (bench:gas, EDR prague, distinct returning validators): a first validation costs
    /// 52,823 each in a batch of 100 consecutive entries proven by two range proofs, and up to
    /// 178,620 alone with the longest proof; a second validation 27,404 each in a batch of 100 and
    /// 54,008 alone. The first four validations of an entry that have a seat or count live in its
    /// anchor slot (third 53,259 alone, fourth 53,722); the fifth writes the entry's votes slot (a
    /// new slot: 73,073 alone, once per entry), the sixth and later update it (54,695 alone).
    /// @param validations At most MAX_BATCH validations.
    /// @param signatures One signature per validation.
    /// @param proofs Range proofs of the entries that are not anchored yet (may be empty).
    /// @return validated How many validations were recorded (counted or kept as endorsements).
    function validateBatch(
        Validation[] calldata validations,
        bytes[] calldata signatures,
        RangeProof[] calldata proofs
    ) external returns (uint256 validated);

    // ------------------------------------------------------------------ commons

    /// @notice Registers the commons `keccak256(abi.encode(msg.sender, salt))` with the caller as
    /// its only steward and a threshold of 1 (run by one key until the stewards raise it). No one
    /// holds a validator role yet.
    /// @param salt Any value chosen by the founder.
    /// @param name A human-readable name (1..MAX_NAME_BYTES bytes), kept in the event only.
    /// @return commons The new commons id.
    function registerCommons(bytes32 salt, string calldata name) external returns (bytes32 commons);

    /// @notice Proposes making `steward` a steward of `commons`; the caller (a steward) approves it.
    /// Takes effect once the commons' threshold of stewards approved (at once when it is 1).
    /// @return proposal The proposal id.
    function addSteward(bytes32 commons, address steward) external returns (uint256 proposal);

    /// @notice Proposes removing `steward` (any steward, the caller included). Refused if it would
    /// leave fewer stewards than the threshold; takes effect as `addSteward` does.
    function removeSteward(bytes32 commons, address steward) external returns (uint256 proposal);

    /// @notice Proposes a new threshold: how many stewards must approve a change (1..stewards).
    function setStewardThreshold(bytes32 commons, uint16 threshold) external returns (uint256 proposal);

    /// @notice Proposes what `account` may validate in `commons`: bit `a` of `roles` is `Action a`
    /// (0 removes every role). Past validations keep counting.
    function setRoles(bytes32 commons, address account, uint32 roles) external returns (uint256 proposal);

    /// @notice Proposes the quorum rule for one action. Unset rules are one accept and one dispute
    /// (by appointed validators), no confirmation needed. Entry states follow the rule in force when
    /// they are read. With `counterpartyConfirms` an entry of the action is accepted only once the
    /// other agent its record names has confirmed it (co-signed, or `Verdict.Confirm`), is disputed
    /// if that agent refused, and is never accepted if its record names no counterparty (so that a
    /// provider cannot leave the receiver out to avoid the confirmation).
    function setQuorumRule(
        bytes32 commons,
        Action action,
        uint16 acceptsRequired,
        uint16 disputesToBlock,
        bool counterpartyConfirms
    ) external returns (uint256 proposal);

    /// @notice Approves a pending proposal of a commons the caller stewards; executes it (checked
    /// again against the commons as it is now) when the approvals reach the threshold.
    /// @return executed Whether this approval made the change take effect.
    function approveChange(uint256 proposal) external returns (bool executed);

    // ------------------------------------------------------------------ nonces

    /// @notice Consumes the caller's current nonce for `key`, cancelling any signature that carries it.
    /// @return nonce The nonce consumed (key and sequence packed).
    function invalidateNonce(uint192 key) external returns (uint256 nonce);

    // ------------------------------------------------------------------ views

    /// @notice The entry count and the current 192-bit head of the hash chain.
    function tip() external view returns (uint64 count, bytes24 head);

    /// @notice The head stored after entry `index * CHECKPOINT_INTERVAL` (zero if not reached yet).
    function checkpoint(uint256 index) external view returns (bytes24 head);

    /// @notice The derived state of an entry and its tallies.
    function entryState(
        uint256 entryId
    ) external view returns (EntryState state, uint16 accepts, uint16 disputes, uint64 correctedBy);

    /// @notice Checks that `proof.record` is the record of entry `entryId` (see EntryProof; the proof
    /// is always checked, anchored or not) and returns the entry's signer. Lets other contracts read
    /// an entry's content (quantity, unit, time) from a proof. Reverts LedgerEntryNotFound or
    /// LedgerInvalidProof.
    function entryIncluded(uint256 entryId, EntryProof calldata proof) external view returns (address signer);

    /// @notice Whether `validator` has validated `entryId`.
    function hasValidated(uint256 entryId, address validator) external view returns (bool);

    /// @notice The quorum rule in force for one action in a commons (the default if unset).
    function quorumRule(bytes32 commons, Action action) external view returns (QuorumRule memory);

    /// @notice Whether `account` is a steward of `commons`.
    function isSteward(bytes32 commons, address account) external view returns (bool);

    /// @notice How many stewards `commons` has, how many must approve a change, and the steward
    /// epoch (it grows with every change of the steward set or threshold). All zero if unknown.
    function stewardship(bytes32 commons) external view returns (uint256 stewards, uint256 threshold, uint256 epoch);

    /// @notice What `account` may validate in `commons` (bit a: Action a).
    function rolesOf(bytes32 commons, address account) external view returns (uint32);

    /// @notice Proposal `proposal` (reverts LedgerProposalNotFound if there is none).
    function proposalOf(uint256 proposal) external view returns (Proposal memory);

    /// @notice Whether `commons` is registered.
    function commonsExists(bytes32 commons) external view returns (bool);

    /// @notice The EIP-712 struct hash of a record (the hash the chain commits to).
    function hashRecord(Record calldata record) external view returns (bytes32);

    /// @notice The EIP-712 digest a record's agent signs.
    function recordDigest(Record calldata record) external view returns (bytes32);

    /// @notice The EIP-712 digest a validator signs.
    function validationDigest(Validation calldata validation) external view returns (bytes32);

    /// @notice The EIP-712 domain separator (binds chain id and this contract).
    function domainSeparator() external view returns (bytes32);

    /// @notice The current nonce of `owner` for `key` (key and sequence packed).
    function nonces(address owner, uint192 key) external view returns (uint256);
}
