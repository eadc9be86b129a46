#!/usr/bin/env bash
# Regenerates the README's screenshots (docs/screenshots/*.png): the Chromium tests that take
# them run against the real system in headless Chromium with TENFOUR_UPDATE_SCREENSHOTS=1, so
# every picture is the app as it is, never a hand-made image. Extra pytest arguments pass through.
set -euo pipefail
cd "$(dirname "$0")/.."
E2E=services/gateway/tests/e2e
TESTS=(
  "$E2E/test_officer_journey.py::test_enrol_rotate_book_admit_video_fulfilled"  # find a time, rotation, weekly hours, upcoming
  "$E2E/test_video_session.py"                                                  # waiting rooms, video call, sign-in
  "$E2E/test_coordinator.py"                                                    # enrolment codes, program numbers
  "$E2E/test_everyday.py::test_find_a_time_day_by_day_on_a_phone_and_a_laptop_with_refusals_in_plain_words"
  "$E2E/test_everyday.py::test_an_officer_keeps_their_preferences_on_the_web"
  "$E2E/test_everyday.py::test_one_message_per_form_in_plain_words_and_only_dates_a_person_means[phone]"  # officer home
  "$E2E/test_spanish_reasons.py::test_a_spanish_reader_sees_a_times_reason_and_a_refusal_in_spanish"  # Spanish
  "$E2E/test_week_grid.py"                                                      # the week grid, laptop and phone
)
TENFOUR_UPDATE_SCREENSHOTS=1 exec nice -n 5 .venv/bin/python -m pytest -q "${TESTS[@]}" "$@"
