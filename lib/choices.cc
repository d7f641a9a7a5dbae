#include "ami/modelling_choices.h"

namespace ami {

const std::vector<ModellingChoice>& ModellingChoices() {
  static const auto* choices = new std::vector<ModellingChoice>{
      {"MC-1", "ID-1, ID-2",
       "Resource ids are a prefix (ami-, snap-, i-, vol-) and exactly 8 or 17 lowercase hex "
       "digits; uppercase or any other length is the kind's *.Malformed code."},
      {"MC-2", "ID-12, ID-15",
       "KMS key ids are lowercase 8-4-4-4-12 UUIDs or mrk- and 32 lowercase hex digits."},
      {"MC-3", "ID-6, ID-7, DESC-2",
       "A malformed account id is InvalidUserID.Malformed, except in a launchPermission entry, "
       "where it (like a group other than all) is InvalidAMIAttributeItemValue."},
      {"MC-4", "ID-12, ID-13, ID-14",
       "KMS identifiers fail with KMS's own codes: a malformed key id or alias name is "
       "NotFoundException, a malformed KMS ARN InvalidArnException, and a new alias under "
       "alias/aws/ (or malformed) InvalidAliasNameException."},
      {"MC-5", "ID-16, SHARE-7",
       "A malformed organization or OU id or ARN, including a bare o-/ou- id where an ARN is "
       "required, is InvalidParameterValue."},
      {"MC-6", "SHARE-9, SHARE-10",
       "More than 1,000 sharing entities (accounts, organizations, OUs) on one image is "
       "ResourceLimitExceeded."},
      {"MC-7", "SHARE-13",
       "Tag keys are 1-128 and values 0-256 Unicode characters of valid UTF-8; a bad, duplicate "
       "or user-created aws: key is InvalidParameterValue; more than 50 user tags is "
       "TagLimitExceeded; aws: system tags do not count toward the 50."},
      {"MC-8", "-",
       "Bytes or JSON text that cannot be decoded at all fail with SerializationException "
       "(canonical code DATA_LOSS); decodable but invalid content fails with the code of the "
       "check it breaks."},
      {"MC-9", "ID-8, ID-9, ID-10",
       "The Region catalogue is the commercial partition (34 Regions) with their AZ letters and "
       "AZ ids; GovCloud, China, Local Zones, Wavelength Zones and Outposts are unknown "
       "(InvalidRegion, InvalidZone.NotFound). Per-account AZ name mapping is not modelled."},
      {"MC-10", "ID-17, CREATE-6",
       "Structural checks use the generic EC2 codes: out-of-range or malformed values "
       "(descriptions over 255 characters, volume sizes outside 1-65536 GiB, instance types, "
       "product codes, an owner listed in its own permissions) are InvalidParameterValue; "
       "values that contradict each other InvalidParameterCombination; a missing one "
       "MissingParameter."},
      {"MC-11", "CREATE-4, CREATE-17",
       "Image consistency is file-system-consistent (stopped or rebooted instance) or "
       "crash-consistent (NoReboot on a running instance); images registered from snapshots, "
       "or read without the field, are unknown."},
      {"MC-12", "-",
       "KMS key ids are interned in a process-wide table of at most 16,777,216 distinct ids; "
       "parsing one more fails with ResourceLimitExceeded."},
      {"MC-13", "CREATE-16",
       "DryRunOperation is reported with canonical code FAILED_PRECONDITION (HTTP 412)."},
      {"MC-14", "-",
       "Reading the wire form, an empty enum field takes the builder default (state available / "
       "completed / running, root device ebs, architecture x86_64, virtualization hvm, volume "
       "type gp3)."},
      {"MC-15", "DEREG-8",
       "A disabled image that still has launch permissions is refused as inconsistent "
       "(InvalidParameterCombination)."},
  };
  return *choices;
}

}  // namespace ami
