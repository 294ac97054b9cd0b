#ifndef CPROTOBUFC_SHIM_H
#define CPROTOBUFC_SHIM_H

/* The protobuf-c runtime, as Debian's libprotobuf-c-dev installs it. */
#include <protobuf-c/protobuf-c.h>

#endif
