export {
  type AdmissionDecision,
  type AdmissionTarget,
  checkSource,
  decideAdmission,
  findAdmissionPolicy,
  type SourceCheck,
} from './admission.ts';
export {
  type AclPolicy,
  type AdmissionPolicy,
  buildPolicySnapshot,
  type CredentialRef,
  type OriginationPolicy,
  type OriginationTargetPolicy,
  type PolicyAclEntryRow,
  type PolicyApplicationRow,
  type PolicyCredentialRow,
  PolicyDataError,
  type PolicyRows,
  type PolicySnapshot,
  type PolicyTrunkRow,
  type PolicyUriRow,
} from './policy-snapshot.ts';
