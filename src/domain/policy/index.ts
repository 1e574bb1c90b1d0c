export {
  type AdmissionDecision,
  checkSource,
  decideAdmission,
  findAdmissionPolicy,
  type SourceCheck,
  type TargetSelector,
} from './admission.ts';
export {
  type AclPolicy,
  type AddressMatcher,
  type AdmissionTarget,
  type CredentialEntry,
  EMPTY_POLICY,
  type OriginationPolicy,
  type OriginationTargetPolicy,
  type PolicySnapshot,
} from './admission-target.ts';
export {
  isPolicyChangeKind,
  POLICY_CHANGE_KINDS,
  type PolicyChange,
  type PolicyChangeKind,
} from './policy-change.ts';
export type {
  PolicyAclEntryRow,
  PolicyApplicationRow,
  PolicyCredentialRow,
  PolicyDelta,
  PolicyRows,
  PolicyTrunkRow,
  PolicyUriRow,
} from './policy-rows.ts';
export {
  buildPolicySnapshot,
  NO_CREDENTIAL,
  PolicyDataError,
  type PolicyDescription,
  PolicyTable,
} from './policy-table.ts';
