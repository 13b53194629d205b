#include "bus/bus.h"

#include <string>

namespace of::bus {

Status redrive_dead_letter(store::Tx& tx, int64_t dead_letter_id, TimeMs now_ms) {
  OF_ASSIGN_OR_RETURN(std::optional<core::DeadLetter> dead_letter, tx.get_dead_letter(dead_letter_id));
  if (!dead_letter) return Status::not_found("dead letter " + std::to_string(dead_letter_id) + " not found");
  if (dead_letter->redriven_at_ms) {
    return Status::conflict("dead letter " + std::to_string(dead_letter_id) + " was already redriven");
  }
  switch (dead_letter->kind) {
    case core::DeadLetterKind::kEvent: {
      // The event's inbox entry was rolled back with its failed handler, so the
      // handler runs again when the retry queue delivers it.
      core::PendingDelivery delivery;
      delivery.subscription = dead_letter->consumer;
      delivery.event_seq = dead_letter->event_seq;
      delivery.subject = dead_letter->subject;
      delivery.attempts = 0;
      delivery.next_attempt_at_ms = now_ms;
      OF_RETURN_IF_ERROR(tx.put_pending_delivery(delivery));
      break;
    }
    case core::DeadLetterKind::kJob: {
      OF_ASSIGN_OR_RETURN(std::optional<core::Job> job, tx.get_job(JobId(dead_letter->reference)));
      if (!job) return Status::not_found("job " + dead_letter->reference + " of dead letter not found");
      job->state = core::JobState::kQueued;
      job->attempts = 0;
      job->next_attempt_at_ms = now_ms;
      job->updated_at_ms = now_ms;
      OF_RETURN_IF_ERROR(tx.put_job(*job));
      break;
    }
  }
  dead_letter->redriven_at_ms = now_ms;
  return tx.put_dead_letter(*dead_letter);
}

}  // namespace of::bus
