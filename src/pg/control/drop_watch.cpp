#include "pg/control/launcher.hpp"

#include <string>

#include "core/error.hpp"
#include "pg/bridge/datum.hpp"
#include "pg/bridge/guard.hpp"
#include "pg/control/shared_state.hpp"
#include "pg/control/slot_protocol.hpp"

extern "C" {
#include "catalog/objectaccess.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "commands/extension.h"
}

// The drop watch: DROP EXTENSION thelook_datagen, or DROP SCHEMA of a simulated schema, stops the
// simulations concerned when the dropping transaction commits.
namespace thelook::pg {

namespace {

object_access_hook_type prev_object_access_hook = nullptr;
bool xact_callback_registered = false;
// Drops of the current transaction, applied when it commits.
bool extension_dropped = false;
constexpr int kMaxDroppedSchemas = 16;
int dropped_schema_count = 0;
NameData dropped_schemas[kMaxDroppedSchemas];

void forget_drops() {
    extension_dropped = false;
    dropped_schema_count = 0;
}

void stop_dropped() {
    SharedState* st = shared_state();
    if (!st || (!extension_dropped && dropped_schema_count == 0)) return;
    LWLockAcquire(st->lock, LW_EXCLUSIVE);
    for (int i = 0; i < st->slot_count; ++i) {
        SimulationSlot* slot = &st->slots[i];
        if (slot->database_oid != MyDatabaseId || !is_active(slot->state)) continue;
        bool schema_gone = false;
        for (int k = 0; k < dropped_schema_count; ++k)
            if (strcmp(NameStr(dropped_schemas[k]), NameStr(slot->schema)) == 0) schema_gone = true;
        if (!extension_dropped && !schema_gone) continue;
        signal_stop_locked(slot, extension_dropped ? StopReason::ExtensionDropped : StopReason::SchemaDropped);
    }
    LWLockRelease(st->lock);
}

void on_xact_event(XactEvent event, void* arg) {
    switch (event) {
        case XACT_EVENT_COMMIT:
        case XACT_EVENT_PARALLEL_COMMIT:
            stop_dropped();
            forget_drops();
            break;
        case XACT_EVENT_ABORT:
        case XACT_EVENT_PARALLEL_ABORT:
            forget_drops();
            break;
        default:
            break;
    }
}

void note_drop() {
    if (!xact_callback_registered) {
        RegisterXactCallback(on_xact_event, nullptr);
        xact_callback_registered = true;
    }
}

// Notes, as they are dropped, the extension and the schemas that simulations of this database
// write. (A drop rolled back to a savepoint still counts: the simulation is stopped, cleanly.)
void on_object_access(ObjectAccessType access, Oid class_id, Oid object_id, int sub_id, void* arg) {
    if (prev_object_access_hook) prev_object_access_hook(access, class_id, object_id, sub_id, arg);
    if (access != OAT_DROP || !shared_state() || sub_id != 0) return;
    if (class_id == ExtensionRelationId) {
        if (object_id == get_extension_oid("thelook_datagen", true)) {
            extension_dropped = true;
            note_drop();
        }
    } else if (class_id == NamespaceRelationId) {
        char* name = get_namespace_name(object_id);
        if (!name) return;
        SharedState* st = shared_state();
        bool simulated = false;
        LWLockAcquire(st->lock, LW_SHARED);
        for (int i = 0; i < st->slot_count; ++i) {
            const SimulationSlot& s = st->slots[i];
            if (s.database_oid == MyDatabaseId && is_active(s.state) && strcmp(NameStr(s.schema), name) == 0)
                simulated = true;
        }
        LWLockRelease(st->lock);
        if (simulated && dropped_schema_count < kMaxDroppedSchemas) {
            namestrcpy(&dropped_schemas[dropped_schema_count++], name);
            note_drop();
        }
    }
}


}  // namespace

void install_drop_watch() {
    prev_object_access_hook = object_access_hook;
    object_access_hook = on_object_access;
}


}  // namespace thelook::pg
