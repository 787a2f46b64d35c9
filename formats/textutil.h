/* textutil.h - moved to core/text.h and core/names.h; kept for the files that still include it. */
#include "../core/names.h"
#include "../core/text.h"
#define flame_args_start flame_name_args_start
