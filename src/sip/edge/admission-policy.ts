// The edge's view of the admission model. The model itself is defined once, in the domain layer
// (src/domain/policy/admission-target.ts); this file keeps the edge's import path.
export type {
  AddressMatcher,
  AdmissionTarget,
  CredentialEntry,
  PolicySnapshot,
} from '../../domain/policy/admission-target.ts';
export { EMPTY_POLICY } from '../../domain/policy/admission-target.ts';
