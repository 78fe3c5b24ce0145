-- What extend and release scripts answer a caller whose lock or lease has
-- ended: 0 when held_by_others() is true (someone else holds the lock now),
-- -1 when nobody holds it. Every lock kind reports these the same way
-- (LockOutcome::not_owner and LockOutcome::expired).
local function lost_answer(held_by_others)
  if held_by_others() then
    return 0
  end
  return -1
end
