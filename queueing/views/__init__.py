"""Queue, schedule and throttle profile pages: one module per page (queueing.urls routes them).

Views parse input, call a service (queueing.control for the queue's controls,
queueing.sweep_schedules for schedules, queueing.throttle_profiles for profiles
and the global budget) or a read model (queueing.queue_status,
queueing.schedule_status, queueing.cron's preview) and render.
"""
