// Included last by every .cpp file of the pure C++ core: compilation fails if anything it
// includes pulled in PostgreSQL's headers. The core can then be unit-tested without a server and
// never mixes longjmp-based errors with C++ objects.
#pragma once

#ifdef POSTGRES_H
static_assert(false, "src/core must not include postgres.h: move PostgreSQL code to src/pg/");
#endif
