// State files: reading a Cloud from length-delimited StateRecord messages (ami/io/state_file.h).
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <istream>
#include <iterator>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "ami/io/state_file.h"
#include "ami/v1/state.pb.h"
#include "values/choices.h"
#include "cloud/state.h"
#include "io/file_util.h"
#include "google/protobuf/arena.h"
#include "io/state_builder.h"
#include "io/state_checksum.h"
#include "values/status_macros.h"

namespace ami {

using internal::CloudAccess;
using internal::CorruptStateFile;
using internal::StateBuilder;

namespace {

// Reads length-delimited records from a stream through a buffer.
class RecordReader {
 public:
  explicit RecordReader(std::istream& in) : in_(in) {}

  // Reads the next record; false at a clean end of the stream. The record before it is added to
  // the checksum now, so that the header (record 1) can name the checksum's version first.
  absl::StatusOr<bool> Next() {
    if (index_ > 0) checksum_.Add(varint_, varint_bytes_, record_.data(), record_.size());
    uint64_t size = 0;
    int shift = 0;
    varint_bytes_ = 0;
    while (true) {
      int c = Get();
      if (c < 0) {
        if (varint_bytes_ == 0) return false;
        return CorruptStateFile(absl::StrCat("truncated inside the size of record ", index_ + 1));
      }
      varint_[varint_bytes_++] = static_cast<char>(c);
      size |= static_cast<uint64_t>(c & 0x7F) << shift;
      if ((c & 0x80) == 0) break;
      shift += 7;
      if (varint_bytes_ == sizeof(varint_)) return CorruptStateFile(absl::StrCat("bad size of record ", index_ + 1));
    }
    if (size > kMaxStateRecordBytes) {
      return CorruptStateFile(absl::StrCat("record ", index_ + 1, " claims ", size,
                                  " bytes, more than the limit of ", kMaxStateRecordBytes));
    }
    record_.resize(size);
    if (!Read(record_.data(), size)) {
      return CorruptStateFile(absl::StrCat("truncated inside record ", index_ + 1));
    }
    ++index_;
    bytes_ += varint_bytes_ + size;
    return true;
  }

  // The bytes of the record last read.
  const std::string& record() const { return record_; }
  // Sets the checksum's version; before the second record is read.
  void set_version(uint32_t version) { checksum_ = internal::StateChecksum(version); }
  // 1-based index of the record last read.
  uint64_t index() const { return index_; }
  // Bytes consumed so far.
  uint64_t bytes() const { return bytes_; }
  // The checksum of every record before the one last read.
  uint64_t checksum_before() const { return checksum_.value(); }

 private:
  int Get() {
    if (pos_ == end_ && !Fill()) return -1;
    return static_cast<unsigned char>(buffer_[pos_++]);
  }
  bool Read(char* out, uint64_t n) {
    while (n > 0) {
      if (pos_ == end_ && !Fill()) return false;
      const size_t take = std::min<uint64_t>(n, end_ - pos_);
      std::memcpy(out, buffer_.data() + pos_, take);
      pos_ += take;
      out += take;
      n -= take;
    }
    return true;
  }
  bool Fill() {
    if (buffer_.empty()) buffer_.resize(1 << 20);
    in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    pos_ = 0;
    end_ = static_cast<size_t>(in_.gcount());
    return end_ > 0;
  }

  std::istream& in_;
  std::string buffer_;
  size_t pos_ = 0, end_ = 0;
  uint64_t index_ = 0;
  uint64_t bytes_ = 0;
  std::string record_;
  char varint_[10];
  size_t varint_bytes_ = 0;
  internal::StateChecksum checksum_{kStateFileVersion};
};

const char* RecordName(const v1::StateRecord& r) {
  switch (r.record_case()) {
    case v1::StateRecord::kHeader: return "header";
    case v1::StateRecord::kOrganization: return "organization";
    case v1::StateRecord::kAccount: return "account";
    case v1::StateRecord::kSettings: return "settings";
    case v1::StateRecord::kKey: return "kms key";
    case v1::StateRecord::kAlias: return "alias";
    case v1::StateRecord::kSnapshot: return "snapshot";
    case v1::StateRecord::kImage: return "image";
    case v1::StateRecord::kInstance: return "instance";
    case v1::StateRecord::kForeignTags: return "tags";
    case v1::StateRecord::kClientToken: return "client token";
    case v1::StateRecord::kCreating: return "create-image";
    case v1::StateRecord::kPending: return "pending work";
    case v1::StateRecord::kTrailer: return "trailer";
    case v1::StateRecord::kAllowedImages: return "allowed images";
    case v1::StateRecord::kRetentionRule: return "recycle bin rule";
    case v1::StateRecord::kBin: return "recycle bin entry";
    case v1::StateRecord::kPrincipal: return "iam principal";
    case v1::StateRecord::kServiceControlPolicy: return "service control policy";
    case v1::StateRecord::kFullAccessDetached: return "full access detached";
    case v1::StateRecord::kAutomation: return "automation";
    default: return "unknown";
  }
}

// A record kind's place in the file (ami/io/state_file.h): each kind comes after those of a lower
// rank.
int Rank(v1::StateRecord::RecordCase kind) {
  using R = v1::StateRecord;
  static constexpr R::RecordCase kOrder[] = {
      R::kHeader,   R::kOrganization, R::kAccount,  R::kPrincipal, R::kServiceControlPolicy,
      R::kFullAccessDetached, R::kSettings,    R::kAllowedImages,
      R::kRetentionRule, R::kKey,     R::kAlias,    R::kSnapshot,    R::kImage,
      R::kInstance, R::kForeignTags,  R::kClientToken, R::kCreating, R::kBin,
      R::kPending,  R::kAutomation, R::kTrailer};
  for (int i = 0; i < static_cast<int>(std::size(kOrder)); ++i) {
    if (kOrder[i] == kind) return i;
  }
  return -1;
}

// `status` with "state file: record N (kind): " before its message; code and payload kept.
absl::Status InRecord(uint64_t index, const v1::StateRecord& r, const absl::Status& status) {
  absl::Status out(status.code(),
                   absl::StrCat("state file: record ", index, " (", RecordName(r), "): ", status.message()));
  status.ForEachPayload([&out](absl::string_view url, const absl::Cord& p) { out.SetPayload(url, p); });
  return out;
}

}  // namespace

// Tells options.progress of the reader's position: every progress_every records, and at the end.
class ProgressReporter {
 public:
  ProgressReporter(const LoadStateOptions& options, const RecordReader& reader)
      : options_(options), reader_(reader), every_(std::max<uint64_t>(options.progress_every, 1)) {}
  void Record() {
    if (options_.progress && reader_.index() % every_ == 0) {
      options_.progress({reader_.index(), reader_.bytes(), false});
    }
  }
  void Done() {
    if (options_.progress) options_.progress({reader_.index(), reader_.bytes(), true});
  }

 private:
  const LoadStateOptions& options_;
  const RecordReader& reader_;
  const uint64_t every_;
};

absl::StatusOr<std::unique_ptr<Cloud>> LoadState(std::istream& in, const LoadStateOptions& options) {
  RecordReader reader(in);
  ProgressReporter progress(options, reader);
  StateBuilder builder;
  // Each record is parsed into an arena that is reset after it: no per-field allocations.
  google::protobuf::ArenaOptions arena_options;
  arena_options.start_block_size = 16 << 10;
  arena_options.max_block_size = 1 << 20;
  google::protobuf::Arena arena(arena_options);
  bool trailer_seen = false;
  // The rank and name of the last record's kind, so that one out of order is refused.
  int last_rank = 0;
  const char* last_kind = "header";
  while (true) {
    AMI_ASSIGN_OR_RETURN(const bool more, reader.Next());
    if (!more) break;
    progress.Record();
    const std::string& bytes = reader.record();
    if (trailer_seen) return CorruptStateFile(absl::StrCat("data after the trailer, at record ", reader.index()));
    arena.Reset();
    v1::StateRecord& record = *google::protobuf::Arena::CreateMessage<v1::StateRecord>(&arena);
    if (!record.ParseFromString(bytes)) {
      return CorruptStateFile(absl::StrCat("record ", reader.index(), " is not a valid StateRecord"));
    }
    if (reader.index() == 1) {
      if (record.record_case() != v1::StateRecord::kHeader) return CorruptStateFile("the first record is not a header");
      absl::Status h = builder.Header(record.header());
      if (!h.ok()) return InRecord(1, record, h);
      reader.set_version(record.header().version());
      continue;
    }
    if (record.record_case() == v1::StateRecord::kTrailer) {
      if (record.trailer().records() != reader.index() - 1 ||
          record.trailer().checksum() != reader.checksum_before()) {
        return CorruptStateFile(absl::StrCat("the trailer does not match the ", reader.index() - 1,
                                    " records before it (count or checksum): the file is damaged"));
      }
      trailer_seen = true;
      continue;
    }
    const int rank = Rank(record.record_case());
    if (rank >= 0 && rank < last_rank) {
      return CorruptStateFile(absl::StrCat("record ", reader.index(), " (", RecordName(record),
                                  ") is out of order: it comes after the ", last_kind,
                                  " records"));
    }
    if (rank >= 0) {
      last_rank = rank;
      last_kind = RecordName(record);
    }
    absl::Status added = builder.Add(record);
    if (!added.ok()) return InRecord(reader.index(), record, added);
  }
  progress.Done();
  if (reader.index() == 0) return CorruptStateFile("the file is empty");
  if (!trailer_seen) return CorruptStateFile(absl::StrCat("truncated after record ", reader.index(), ": no trailer"));
  AMI_RETURN_IF_ERROR(builder.CheckReferences());
  return CloudAccess::Wrap(builder.Release());
}

absl::StatusOr<std::unique_ptr<Cloud>> LoadStateFromFile(const std::string& path,
                                                         const LoadStateOptions& options) {
  AMI_RETURN_IF_ERROR(file_util::CheckSize(path, kMaxStateFileBytes));
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("cannot open `", path, "`: ",
                                  file_util::ErrnoText(errno != 0 ? errno : EIO)));
  }
  return LoadState(in, options);
}

}  // namespace ami
