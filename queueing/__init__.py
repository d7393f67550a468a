"""The request queue, throttle profiles, sweeps, dispatch and schedules."""
