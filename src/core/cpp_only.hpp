// Included first by every header of the pure C++ core: the core never sees PostgreSQL's headers,
// so it can be unit-tested without a server and never mixes longjmp-based errors with C++ objects.
#pragma once

#ifdef POSTGRES_H
static_assert(false, "src/core must not include postgres.h: move PostgreSQL code to src/pg/");
#endif
